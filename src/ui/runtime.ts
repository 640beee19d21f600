/**
 * The part of the app a run needs and the first page load does not: the agent loop, the Python
 * sandbox (Pyodide in a worker, started once and kept), and the search index (loaded once).
 */
import { getPromptProfile } from '../agent/prompt-profile.ts';
import { runAgent } from '../agent/run-agent.ts';
import { runCot } from '../agent/run-cot.ts';
import type { AgentEventListener } from '../agent/events.ts';
import type { RunRecord } from '../agent/run-record.ts';
import type { ChatEngine } from '../engines/chat-engine.ts';
import { PlaygroundError } from '../errors.ts';
import type { PythonSandbox, SandboxTool } from '../python/sandbox.ts';
import { createWebSearchTool, fetchIndexSource, loadIndex } from '../search/index.ts';
import type { Retriever } from '../search/retriever.ts';
import { INDEX_URL, indexStatus } from './index-status.svelte.ts';
import type { RunConfig } from './lib/run-config.ts';

export interface ExecuteRunOptions {
  question: string;
  config: RunConfig;
  engine: ChatEngine;
  signal: AbortSignal;
  onEvent: AgentEventListener;
  onPhase: (text: string) => void;
}

interface BrowserSandboxModule {
  createBrowserSandbox(options: { indexURL: string; tools: SandboxTool[] }): PythonSandbox;
}
// Until src/python/browser-sandbox.ts lands, a build without it still works for CoT and says
// plainly why agent runs cannot start.
const sandboxModules = import.meta.glob<BrowserSandboxModule>('../python/browser-sandbox.ts');

async function createBrowserSandbox(options: {
  indexURL: string;
  tools: SandboxTool[];
}): Promise<PythonSandbox> {
  const load = Object.values(sandboxModules)[0];
  if (!load)
    throw new PlaygroundError('python_start_failed', 'This build has no browser Python sandbox.');
  return (await load()).createBrowserSandbox(options);
}

let retriever: Promise<Retriever | null> | null = null;
let sandbox: Promise<PythonSandbox> | null = null;

/** The app's index, or null when the origin serves none (web_search then says so). */
function getRetriever(): Promise<Retriever | null> {
  retriever ??= indexStatus
    .check()
    .then((present) => (present ? loadIndex(fetchIndexSource(INDEX_URL)) : null))
    .catch((err: unknown) => {
      retriever = null;
      throw PlaygroundError.from(err);
    });
  return retriever;
}

const noIndexTool: SandboxTool = {
  name: 'web_search',
  params: ['query'],
  call: async () => ({
    text: 'web_search is unavailable: no Wikipedia index is installed in this app. Answer from what you know or compute.',
    data: [],
  }),
};

async function getSandbox(onPhase: (text: string) => void): Promise<PythonSandbox> {
  if (!sandbox) {
    sandbox = (async () => {
      onPhase('Loading the search index…');
      const r = await getRetriever();
      onPhase('Starting Python (Pyodide)…');
      const s = await createBrowserSandbox({
        indexURL: `${import.meta.env.BASE_URL}pyodide/`,
        tools: [r ? createWebSearchTool(r) : noIndexTool],
      });
      await s.start();
      return s;
    })();
    sandbox.catch(() => {
      sandbox = null;
    });
  }
  return sandbox;
}

export async function executeRun(o: ExecuteRunOptions): Promise<RunRecord> {
  const profile = getPromptProfile(o.config.profile);
  if (o.config.mode === 'cot') {
    return runCot({
      question: o.question,
      engine: o.engine,
      profile,
      signal: o.signal,
      onEvent: o.onEvent,
    });
  }
  const py = await getSandbox(o.onPhase);
  return runAgent({
    question: o.question,
    engine: o.engine,
    sandbox: py,
    profile,
    maxSteps: o.config.maxSteps,
    samples: o.config.samples,
    temperature: o.config.temperature,
    topP: o.config.topP,
    maxTokens: o.config.maxTokens,
    pythonTimeoutMs: o.config.pythonTimeoutS * 1000,
    signal: o.signal,
    onEvent: o.onEvent,
  });
}
