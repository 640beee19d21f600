/**
 * Harness overhead of `playground eval` (issue 5): questions per second through the real agent
 * loop, OpenAI engine and Pyodide sandboxes at concurrency 16, against a server that answers
 * instantly, so everything measured is ours. Target: >= 20 agent questions/s.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { runEvaluation, type SolveFn } from '../../src/eval/runner.ts';
import type { BenchQuestion } from '../../src/eval/types.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';
import { lendFromPool } from '../sandbox-pool.ts';
import type { BenchSuite } from './index.ts';

const CONCURRENCY = 16;
const QUESTIONS = 400;
const REPLY = 'Thought: I know it.\n```py\nx = 6 * 7\nfinal_answer(x)\n```<end_code>';

/** The smallest OpenAI-compatible server: every completion is REPLY, at once. */
async function instantServer(): Promise<{
  baseUrl: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const body = JSON.stringify({
    id: 'x',
    object: 'chat.completion',
    model: 'instant',
    choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 },
  });
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => count,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function questions(n: number, prefix: string): BenchQuestion[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    benchmark: 'synthetic',
    kind: i % 2 ? 'math' : 'factual',
    question: `What is 6 times 7? (variant ${i})`,
    answers: ['42'],
  }));
}

export const evalHarness: BenchSuite = {
  name: 'eval-harness',
  description: `agent questions/s through runner + runAgent + OpenAI engine + ${CONCURRENCY} Pyodide sandboxes against an instant server`,
  async run() {
    const server = await instantServer();
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'instant' });
    const profile = getPromptProfile('distilled');
    const solve: SolveFn = (q, { signal, sandbox }) => {
      if (!sandbox) throw new Error('no sandbox');
      return runAgent({ question: q.question, engine, sandbox, profile, signal, runId: q.id });
    };
    // Sandboxes are started once per eval run; their start-up is measured apart from throughput.
    const pool: PythonSandbox[] = [];
    const startT = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const sandbox = createNodeSandbox();
        await sandbox.start();
        pool.push(sandbox);
      }),
    );
    const sandboxStartS = (performance.now() - startT) / 1000;
    // The runner disposes its sandboxes at the end; these are reused across the passes.
    const lend = lendFromPool(pool);
    try {
      // Warm-up pass (JIT, keep-alive sockets), then the measured one.
      await runEvaluation({
        questions: questions(CONCURRENCY * 2, 'w'),
        solve,
        mode: 'agent',
        concurrency: CONCURRENCY,
        createSandbox: lend,
      });
      const before = server.requests();
      const t0 = performance.now();
      const { records } = await runEvaluation({
        questions: questions(QUESTIONS, 'q'),
        solve,
        mode: 'agent',
        concurrency: CONCURRENCY,
        createSandbox: lend,
      });
      const seconds = (performance.now() - t0) / 1000;
      const correct = records.filter((r) => r.correct).length;
      const errors = records.filter((r) => r.status === 'error').length;
      const qps = QUESTIONS / seconds;
      return {
        questions: QUESTIONS,
        concurrency: CONCURRENCY,
        seconds: Number(seconds.toFixed(2)),
        questionsPerSecond: Number(qps.toFixed(1)),
        target: 20,
        meetsTarget: qps >= 20,
        correct,
        errors,
        modelRequests: server.requests() - before,
        sandboxStartSeconds: Number(sandboxStartS.toFixed(2)),
      };
    } finally {
      await Promise.all(pool.map((s) => s.dispose()));
      await server.close();
    }
  },
};
