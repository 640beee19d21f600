/**
 * The part of the app a run needs and the first page load does not: the agent loop, the Python
 * sandbox (Pyodide in a worker, started once and kept), and the search index (loaded once).
 */
import type { AgentEventListener } from '../agent/events.ts';
import type { RunRecord } from '../agent/run-record.ts';
import type { ChatEngine } from '../agent/ports.ts';
import { PlaygroundError } from '../errors.ts';
import { createBrowserSandbox } from '../python/browser-sandbox.ts';
import type { PythonSandbox, Retriever } from '../agent/ports.ts';
import { createWebSearchTool, loadIndex } from '../search/index.ts';
import { indexSource } from './index-offline.svelte.ts';
import { indexStatus } from './index-status.svelte.ts';
import type { RunConfig } from './lib/run-config.ts';
import { contextWindowFor } from './lib/context.ts';
import { runWithConfig } from './lib/run-with-config.ts';

export interface ExecuteRunOptions {
  question: string;
  config: RunConfig;
  engine: ChatEngine;
  signal: AbortSignal;
  onEvent: AgentEventListener;
  onPhase: (text: string) => void;
  /** A finished agent run this question follows up (same sandbox state, same saved run). */
  continueFrom?: RunRecord;
}

let retriever: Promise<Retriever | null> | null = null;
let sandbox: Promise<PythonSandbox> | null = null;

/** The app's index, or null when the origin serves none (web_search then says so). */
function getRetriever(
  onProgress: (loadedBytes: number, totalBytes: number) => void,
): Promise<Retriever | null> {
  retriever ??= indexStatus
    .check()
    .then((present) =>
      present
        ? indexSource().then((source) =>
            loadIndex(source, { onProgress: (p) => onProgress(p.loadedBytes, p.totalBytes) }),
          )
        : null,
    )
    .catch((err: unknown) => {
      retriever = null;
      throw PlaygroundError.from(err);
    });
  return retriever;
}

/**
 * The app's one sandbox-and-tools wiring (chat and benchmark): a started Pyodide sandbox whose
 * web_search waits for the index, so Pyodide and the index load side by side, each step told
 * through `onPhase`. A sandbox that fails to start is disposed of, not left running with nobody
 * to end it.
 */
export async function startBrowserSandbox(onPhase: (text: string) => void): Promise<PythonSandbox> {
  let index = 'loading the search index';
  const say = () => onPhase(`Starting Python (Pyodide) and ${index}…`);
  say();
  const loading = getRetriever((done, total) => {
    index = `loading the search index (${Math.round(done / 2 ** 20)} of ${Math.round(total / 2 ** 20)} MB)`;
    say();
  });
  const sandbox = createBrowserSandbox({
    indexURL: `${import.meta.env.BASE_URL}pyodide/`,
    tools: [createWebSearchTool(loading)],
  });
  try {
    await Promise.all([sandbox.start(), loading]);
  } catch (err) {
    await sandbox.dispose().catch(() => undefined);
    throw err;
  }
  return sandbox;
}

/** Chat's sandbox: started once and kept; a failed start is tried again on the next run. */
function getSandbox(onPhase: (text: string) => void): Promise<PythonSandbox> {
  if (!sandbox) {
    sandbox = startBrowserSandbox(onPhase);
    sandbox.catch(() => {
      sandbox = null;
    });
  }
  return sandbox;
}

export function executeRun(o: ExecuteRunOptions): Promise<RunRecord> {
  const contextWindow = contextWindowFor(o.config);
  return runWithConfig({
    ...o,
    sandbox: () => getSandbox(o.onPhase),
    ...(contextWindow !== null && { contextWindow }),
  });
}
