/**
 * Follow-up questions (smolagents `run(task, reset=False)`): the exact bytes of the continued
 * conversation, through a real HTTP server and real Pyodide.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import type { RunRecord } from '../../src/agent/run-record.ts';
import { createRunFile, parseRunFile, serializeRunFile } from '../../src/records/run-file.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { createReplayEngine } from '../../src/engines/replay-engine.ts';
import type { ChatEngine, ChatMessage, PythonSandbox } from '../../src/agent/ports.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type ScriptEntry,
} from '../helpers/fake-openai-server.ts';

const profile = getPromptProfile('distilled');
const TASK = (q: string): string => 'New task:\n' + q + profile.taskSuffix;
const fence = (code: string): string => `Thought: t\nCode:\n\`\`\`py\n${code}\n\`\`\``;
const stored = (code: string): string => fence(code) + '<end_code>';
const ok = (call: number, logs: string, out: string): string =>
  `Call id: call_${call}\nObservation:\nExecution logs:\n${logs}Last output from code snippet:\n${out}`;

let sandbox: PythonSandbox;
let server: FakeOpenAIServer | undefined;

beforeAll(async () => {
  sandbox = createNodeSandbox({ tools: [] });
  await sandbox.start();
});
afterAll(async () => {
  await sandbox.dispose();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: ScriptEntry[]): Promise<ChatEngine> {
  server = await startFakeOpenAIServer({ script });
  return createOpenAIEngine({ baseUrl: server.baseUrl, model: 'student', maxAttempts: 1 });
}

function sent(): ChatMessage[][] {
  return server?.completionRequests().map((r) => r.body.messages as ChatMessage[]) ?? [];
}

describe('follow-up questions continue the agent memory', () => {
  it('appends the new task after every earlier step, keeps variables, and goes on counting call ids', async () => {
    const engine = await serve([
      fence('kept = 41\nprint(kept)'),
      fence('final_answer(kept + 1)'),
      fence('final_answer(kept * 2)'),
    ]);
    const first = await runAgent({ question: 'Q1?', engine, sandbox, profile });
    expect(first.answer).toBe('42');
    expect(first.turns).toBeUndefined();
    const second = await runAgent({
      question: 'And twice?',
      engine,
      sandbox,
      profile,
      continueFrom: first,
    });
    expect(second.status).toBe('answered');
    expect(second.answer).toBe('82');
    const requests = sent();
    expect(requests).toHaveLength(3);
    // The whole first task stays; its last observation and the new task merge into one user turn.
    expect(requests[2]).toEqual([
      { role: 'system', content: profile.agentSystem },
      { role: 'user', content: TASK('Q1?') },
      { role: 'assistant', content: stored('kept = 41\nprint(kept)') },
      { role: 'user', content: ok(1, '41\n', 'None') },
      { role: 'assistant', content: stored('final_answer(kept + 1)') },
      { role: 'user', content: ok(2, '', '42') + TASK('And twice?') },
    ]);
    // Steps count from 1 again; the call id goes on (memory: task, 2 steps, task -> call_4).
    const last = second.steps[2];
    expect(last?.step).toBe(1);
    expect(last?.turn).toBe(1);
    expect(last?.observation).toBe(ok(4, '', '82'));
    expect(second.modelCalls[2]?.turn).toBe(1);
    expect(second.modelCalls[2]?.step).toBe(1);
    expect(second.turns?.map((t) => [t.question, t.status, t.answer])).toEqual([
      ['Q1?', 'answered', '42'],
      ['And twice?', 'answered', '82'],
    ]);
    expect(second.question).toBe('Q1?');
    expect(second.id).toBe(first.id);
    expect(second.usage.promptTokens).toBe(30);
    expect(second.turns?.[1]?.usage.promptTokens).toBe(10);
    // The record the caller holds is not changed by continuing it.
    expect(first.steps).toHaveLength(2);
    // The conversation is one saved run: it exports and imports whole.
    const text = serializeRunFile(createRunFile([second], '2026-11-30T12:00:00Z'));
    expect(serializeRunFile(parseRunFile(text))).toBe(text);
  });

  it('continues after a max-steps fallback with the fallback exchange in memory', async () => {
    const engine = await serve([fence('a = 1'), 'It is 1.', fence('final_answer(a + 1)')]);
    const first = await runAgent({ question: 'Q1?', engine, sandbox, profile, maxSteps: 1 });
    expect(first.status).toBe('fallback');
    const second = await runAgent({
      question: 'Plus one?',
      engine,
      sandbox,
      profile,
      maxSteps: 1,
      continueFrom: first,
    });
    expect(second.answer).toBe('2');
    const fallbackUser = profile.fallbackUser.replace('{{task}}', 'Q1?');
    expect(sent()[2]).toEqual([
      { role: 'system', content: profile.agentSystem },
      { role: 'user', content: TASK('Q1?') },
      { role: 'assistant', content: stored('a = 1') },
      { role: 'user', content: ok(1, '', '1') + fallbackUser },
      { role: 'assistant', content: 'It is 1.' },
      { role: 'user', content: TASK('Plus one?') },
    ]);
    // Memory: task, step, finalize step, task -> call_4.
    expect(second.steps[1]?.observation).toBe(ok(4, '', '2'));
  });

  it('replays a saved conversation turn by turn from its record alone', async () => {
    const engine = await serve([
      fence('x = 5'),
      fence('final_answer(x)'),
      fence('final_answer(x + 1)'),
    ]);
    const a = await runAgent({ question: 'Q1?', engine, sandbox, profile });
    const b = await runAgent({ question: 'Q2?', engine, sandbox, profile, continueFrom: a });
    const replay = createReplayEngine(b);
    let r: RunRecord | null = null;
    for (const t of b.turns ?? []) {
      r = await runAgent({
        question: t.question,
        engine: replay,
        sandbox,
        profile,
        ...(r && { continueFrom: r }),
      });
    }
    expect(r?.turns?.map((t) => t.answer)).toEqual(['5', '6']);
    expect(r?.messages).toEqual(b.messages);
    expect(replay.remaining()).toBe(0);
  });

  it('stops before a step that cannot fit the context window, with no engine error', async () => {
    const engine = await serve([fence('big = "x" * 3000\nprint(big)'), fence('final_answer(1)')]);
    const first = await runAgent({ question: 'Q1?', engine, sandbox, profile, maxSteps: 1 });
    const calls = sent().length;
    expect(calls).toBeGreaterThan(0);
    const second = await runAgent({
      question: 'Again?',
      engine,
      sandbox,
      profile,
      continueFrom: first,
      contextWindow: 2048,
    });
    expect(second.status).toBe('error');
    expect(second.error?.code).toBe('context_full');
    expect(second.error?.message).toMatch(/context window .* Start a new chat/);
    expect(sent()).toHaveLength(calls);
  });

  it('refuses to continue a CoT run, saying why', async () => {
    const engine = await serve([]);
    const cot: RunRecord = {
      version: 1,
      id: 'c',
      question: 'Q',
      settings: {
        ...(await runAgent({ question: 'x', engine, sandbox, profile, maxSteps: 1 })).settings,
        mode: 'cot',
      },
      status: 'answered',
      answer: '1',
      steps: [],
      messages: [],
      modelCalls: [],
      startedAt: 0,
      finishedAt: 0,
      durationMs: 0,
      usage: { promptTokens: 0, completionTokens: 0 },
    };
    await expect(
      runAgent({ question: 'more', engine, sandbox, profile, continueFrom: cot }),
    ).rejects.toThrow(/CoT answer has no agent memory/);
  });
});
