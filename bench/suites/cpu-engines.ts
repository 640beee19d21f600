/**
 * The CPU engines on the tiny GGUF fixture, in Node (node-llama-cpp) and in headless Chromium
 * (wllama) in the same run: prefill and decode tokens per second on one thread, and the
 * agent's own overhead per step (everything but generation and Python) as a share of generation
 * time. Target: overhead <= 5% of generation. The fixture is a 64-dim, 1-layer model, so its
 * speeds say nothing about real models (see docs/engines.md); they show the engines' fixed costs.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createServer as createVite } from 'vite';
import type { BenchSuite } from './index.ts';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import type { RunRecord } from '../../src/agent/run-record.ts';
import type { ChatEngine, ChatMessage, ChatResponse } from '../../src/agent/ports.ts';
import { loadLlamaCppEngine } from '../../src/engines/llama-cpp-engine.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import { launchChromium, ROOT } from '../../tests/e2e/helpers/app-server.ts';
import type { ChatOutcome } from '../../tests/fixtures/gguf/browser-page.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/gguf/tiny-agent.gguf');
const RUNS = 3;
const AGENT_RUNS = 5;
const DECODE_TOKENS = 200;
const SYSTEM = getPromptProfile('distilled').agentSystem;

/** A distinct first message per run, so no engine reuses an earlier run's prompt cache. */
const prefillPrompt = (i: number): ChatMessage[] => [
  { role: 'system', content: `Run ${i}. ${SYSTEM}` },
  { role: 'user', content: 'New task:\nWhat is 6 times 7?' },
];
const decodePrompt = (i: number): ChatMessage[] => [
  { role: 'user', content: `Run ${i}: repeat.` },
  { role: 'assistant', content: '~' },
];

type Chat = (
  messages: ChatMessage[],
  extra: { maxTokens: number; continueFinalMessage?: boolean },
) => Promise<ChatResponse>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] ?? NaN) : NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function speeds(chat: Chat) {
  const prefill: number[] = [];
  const decode: number[] = [];
  let promptTokens = 0;
  for (let i = 0; i < RUNS; i++) {
    const p = await chat(prefillPrompt(i), { maxTokens: 1 });
    prefill.push(p.usage?.prefillTokensPerSecond ?? NaN);
    promptTokens = p.usage?.promptTokens ?? 0;
    const d = await chat(decodePrompt(i), { maxTokens: DECODE_TOKENS, continueFinalMessage: true });
    decode.push(d.usage?.decodeTokensPerSecond ?? NaN);
  }
  return {
    promptTokens,
    prefillTokPerS: round(median(prefill)),
    decodeTokPerS: round(median(decode)),
  };
}

/** Per step: time not spent generating or running Python, over the generation time. */
function overhead(runs: RunRecord[]) {
  const shares: number[] = [];
  const genMs: number[] = [];
  for (const r of runs) {
    for (const s of r.steps) {
      genMs.push(s.generationMs);
      shares.push((s.durationMs - s.generationMs - s.executionMs) / s.generationMs);
    }
  }
  const answered = runs.filter((r) => r.answer === '42').length;
  return {
    runs: runs.length,
    answered,
    steps: shares.length,
    generationMsMedian: round(median(genMs)),
    overheadShareMedianPct: round(median(shares) * 100, 2),
    overheadShareMaxPct: round(Math.max(...shares) * 100, 2),
  };
}

async function node() {
  // One thread: on a shared machine, llama.cpp's spinning threads fight other processes for cores
  // and a tiny model gains nothing from more (two threads ran hundreds of times slower here under load).
  const engine = await loadLlamaCppEngine(FIXTURE, { threads: 1 });
  try {
    const threads1 = await speeds((messages, extra) =>
      engine.chat({ messages, seed: 1, temperature: 0.4, topP: 0.8, ...extra }),
    );
    return { threads1, agent: overhead(await agentRuns(engine)) };
  } finally {
    await engine.dispose();
  }
}

async function agentRuns(engine: ChatEngine): Promise<RunRecord[]> {
  const sandbox = createNodeSandbox();
  await sandbox.start();
  try {
    const runs: RunRecord[] = [];
    for (let i = 0; i < AGENT_RUNS; i++) {
      runs.push(
        await runAgent({
          question: `What is 6 times 7? (run ${i})`,
          engine,
          sandbox,
          profile: getPromptProfile('distilled'),
          seed: i,
        }),
      );
    }
    return runs;
  } finally {
    await sandbox.dispose();
  }
}

async function browser() {
  const vite = await createVite({
    configFile: join(ROOT, 'vite.config.ts'),
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    logLevel: 'silent',
  });
  await vite.listen();
  const chrome = await launchChromium();
  try {
    const page: Page = await chrome.context.newPage();
    await page.goto(`${vite.resolvedUrls?.local[0] ?? ''}tests/fixtures/gguf/browser.html`);
    await page.waitForFunction(() => 'cpu' in window);
    await page.setInputFiles('#gguf', FIXTURE);
    const info = await page.evaluate(() => window.cpu.load('picked-file', { threads: 1 }));
    const chat: Chat = async (messages, extra) => {
      const o = (await page.evaluate(
        ([m, e]) => window.cpu.chat({ messages: m, seed: 1, temperature: 0.4, topP: 0.8, ...e }),
        [messages, extra] as const,
      )) as ChatOutcome;
      if (!o.response) throw new Error(o.error?.message ?? 'no response');
      return o.response;
    };
    const threads1 = {
      ...(await speeds(chat)),
      multiThreaded: 'multiThreaded' in info && info.multiThreaded,
    };
    const runs: RunRecord[] = [];
    for (let i = 0; i < AGENT_RUNS; i++) {
      runs.push(await page.evaluate((s) => window.cpu.agent('What is 6 times 7?', 1, s), i));
    }
    return { threads1, agent: overhead(runs) };
  } finally {
    await chrome.close();
    await vite.close();
  }
}

export const cpuEngines: BenchSuite = {
  name: 'cpu-engines',
  description:
    'tiny GGUF fixture: prefill/decode tokens/s in Node (node-llama-cpp) and Chromium (wllama), agent overhead per step (target <= 5% of generation)',
  async run() {
    const nodeFigures = await node();
    const browserFigures = await browser();
    return {
      model: 'tests/fixtures/gguf/tiny-agent.gguf (297 KB, 1 layer, 64 dims)',
      target: { agentOverheadSharePct: 5 },
      node: nodeFigures,
      chromium: browserFigures,
      note: 'Shared 2-core machine: figures are noisy. Overhead = step time - generation - Python, over generation.',
    };
  },
};
