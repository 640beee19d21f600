/**
 * Self-consistent action generation and the first-thought prefix, through a real HTTP server
 * that honours `n` and `continue_final_message`, and real Pyodide (docs/protocol.md sections 6-8).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { firstThoughtPrefix } from '../../src/agent/answer-extraction.ts';
import type { AgentEvent } from '../../src/agent/events.ts';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import { runCot } from '../../src/agent/run-cot.ts';
import type { ChatMessage, PythonSandbox } from '../../src/agent/ports.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type ScriptEntry,
} from '../helpers/fake-openai-server.ts';

const profile = getPromptProfile('distilled');
const fence = (code: string): string => `Thought: t\nCode:\n\`\`\`py\n${code}\n\`\`\``;

let sandbox: PythonSandbox;
let server: FakeOpenAIServer | undefined;
beforeAll(async () => {
  sandbox = createNodeSandbox();
  await sandbox.start();
});
afterAll(async () => sandbox.dispose());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sag(script: ScriptEntry[], samples: number, maxSteps = 5) {
  server = await startFakeOpenAIServer({ script });
  const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'student' });
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question: 'Q',
    engine,
    sandbox,
    profile,
    samples,
    maxSteps,
    onEvent: (e) => events.push(e),
  });
  return { record, events, requests: server.completionRequests() };
}

describe('SAG', () => {
  it('samples N per step and adopts the majority outcome', async () => {
    const { record, requests, events } = await sag(
      [
        [fence('x = 1\nprint(x)'), fence('x = 2\nprint(x)'), fence('x = 2\nprint(x)'), 'no code'],
        [fence('final_answer(x)')],
      ],
      4,
    );
    expect(requests[0]?.body.n).toBe(4);
    const step = record.steps[0];
    expect(step?.candidates).toHaveLength(4);
    expect(step?.groups.map((g) => g.members)).toEqual([[0], [1, 2]]);
    expect(step?.chosen).toBe(1);
    expect(step?.candidates.map((c) => c.valid)).toEqual([true, true, true, false]);
    expect(step?.candidates[3]?.parseError).toContain('Error in code parsing');
    // The winner's state was adopted: x is 2 in the next step.
    expect(record.answer).toBe('2');
    expect(events.filter((e) => e.type === 'candidate')).toHaveLength(8);
    // One progress event per generated sample, before any is run.
    const samples = events.filter((e) => e.type === 'sample');
    expect(
      samples.map((e) => (e.type === 'sample' ? [e.step, e.index, e.total] : null)).slice(0, 4),
    ).toEqual([
      [1, 0, 4],
      [1, 1, 4],
      [1, 2, 4],
      [1, 3, 4],
    ]);
    expect(events.findIndex((e) => e.type === 'sample')).toBeLessThan(
      events.findIndex((e) => e.type === 'candidate'),
    );
    expect(events.some((e) => e.type === 'vote')).toBe(true);
  });

  it('breaks ties by the group that appeared first', async () => {
    const { record } = await sag(
      [
        [fence('print("a")'), fence('print("b")'), fence('print("b")'), fence('print("a")')],
        [fence('final_answer(1)')],
      ],
      4,
    );
    expect(record.steps[0]?.chosen).toBe(0);
  });

  it('takes the first valid candidate when all outcomes differ', async () => {
    const { record } = await sag(
      [[fence('1/0'), fence('print(1)'), fence('print(2)')], [fence('final_answer(1)')]],
      3,
    );
    expect(record.steps[0]?.chosen).toBe(1);
    expect(record.steps[0]?.groups).toHaveLength(2);
  });

  it('takes candidate 0 and its error when no candidate is valid', async () => {
    const { record } = await sag(
      [[fence('1/0'), 'no code at all', fence('undefined_thing')], [fence('final_answer(1)')]],
      3,
    );
    const step = record.steps[0];
    expect(step?.chosen).toBe(0);
    expect(step?.groups).toEqual([]);
    expect(step?.observation).toContain(
      "Call id: call_1\nError:\nCode execution failed at line '1/0' due to: ZeroDivisionError",
    );
  });

  it('separates candidates that agree on prints but disagree on the final answer', async () => {
    const { record } = await sag(
      [
        [
          fence('print("p")\nfinal_answer(3)'),
          fence('print("p")\nfinal_answer(4)'),
          fence('print("p")\nfinal_answer(4)'),
        ],
      ],
      3,
    );
    expect(record.steps[0]?.groups.map((g) => g.members)).toEqual([[0], [1, 2]]);
    expect(record.answer).toBe('4');
  });

  it('isolates candidates: a list mutated by one does not leak into another or the task', async () => {
    const { record } = await sag(
      [
        [fence('items = [1]')],
        [
          fence('items.append(2)\nprint(len(items))'),
          fence('print(len(items))'),
          fence('print(len(items))'),
        ],
        [fence('final_answer(items)')],
      ],
      3,
    );
    const step2 = record.steps[1];
    expect(step2?.candidates.map((c) => c.execution?.logs)).toEqual(['2\n', '1\n', '1\n']);
    expect(step2?.chosen).toBe(1);
    expect(record.answer).toBe('[1]');
  });

  it('adopts the winner without running it again', async () => {
    const { record } = await sag(
      [
        [fence('counter = [0]')],
        [fence('counter[0] += 1\nprint("inc")'), fence('counter[0] += 1\nprint("inc")')],
        [fence('final_answer(counter[0])')],
      ],
      2,
    );
    expect(record.answer).toBe('1');
  });

  it('makes the max-steps fallback call with one sample', async () => {
    const { record, requests } = await sag(
      [[fence('a = 1'), fence('a = 1')], 'fallback answer'],
      2,
      1,
    );
    expect(record.status).toBe('fallback');
    expect(record.answer).toBe('fallback answer');
    expect(requests[1]?.body.n).toBeUndefined();
  });
});

describe('CoT and the first-thought prefix', () => {
  it('runs CoT greedily with the CoT system prompt and extracts the boxed answer', async () => {
    server = await startFakeOpenAIServer({
      script: ['We add.\n\n2+2=4.\n<answer> \\boxed{4} </answer>'],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'teacher' });
    const record = await runCot({ question: 'What is 2+2?', engine, profile });
    expect(record.answer).toBe('4');
    const body = server.completionRequests()[0]?.body;
    expect(body?.messages).toEqual([
      { role: 'system', content: profile.cotSystem },
      { role: 'user', content: 'What is 2+2?' },
    ]);
    expect(body).toMatchObject({ temperature: 0, max_tokens: 4096 });
  });

  it('places the prefix in step 1 only and stores prefix + continuation as the first turn', async () => {
    const cot =
      'The tower is in Paris.\nIt opened in 1889.\n\nSo the answer is 1889.\n<answer>1889</answer>';
    const prefix = firstThoughtPrefix(cot);
    expect(prefix).toBe('Thought: The tower is in Paris.\nIt opened in 1889.\n\n');
    server = await startFakeOpenAIServer({
      script: ['Code:\n```py\nyear = 1889\nprint(year)\n```', fence('final_answer(year)')],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'teacher' });
    const record = await runAgent({
      question: 'When?',
      engine,
      sandbox,
      profile,
      firstThoughtPrefix: prefix,
    });
    const [first, second] = server.completionRequests();
    const firstMessages = first?.body.messages as ChatMessage[];
    expect(firstMessages.at(-1)).toEqual({ role: 'assistant', content: prefix });
    expect(first?.body.continue_final_message).toBe(true);
    expect(first?.body.add_generation_prompt).toBe(false);
    expect(second?.body.continue_final_message).toBeUndefined();
    const secondMessages = second?.body.messages as ChatMessage[];
    expect(secondMessages[2]).toEqual({
      role: 'assistant',
      content:
        'Thought: The tower is in Paris.\nIt opened in 1889.\n\nCode:\n```py\nyear = 1889\nprint(year)\n```<end_code>',
    });
    expect(record.answer).toBe('1889');
  });
});
