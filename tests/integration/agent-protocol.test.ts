/**
 * The exact bytes the agent sends, through a real HTTP server and real Pyodide
 * (docs/protocol.md sections 1-5).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.ts';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import type { ChatMessage, PythonSandbox } from '../../src/agent/ports.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type ScriptEntry,
} from '../helpers/fake-openai-server.ts';

const profile = getPromptProfile('distilled');
const NUDGE =
  "\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n";
const TASK = (q: string): string => 'New task:\n' + q + profile.taskSuffix;

let sandbox: PythonSandbox;
let server: FakeOpenAIServer | undefined;

beforeAll(async () => {
  sandbox = createNodeSandbox({
    tools: [
      {
        name: 'web_search',
        params: ['query'],
        call: async ({ query }) => ({
          text: `\nRetrieved documents:\n\n===== Document 0, similarity: 0.50 =====\n"T"\nabout ${String(query)}`,
        }),
      },
    ],
  });
  await sandbox.start();
});
afterAll(async () => {
  await sandbox.dispose();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(script: ScriptEntry[], question = 'Q?', extra: { maxSteps?: number } = {}) {
  server = await startFakeOpenAIServer({ script });
  const engine = createOpenAIEngine({
    baseUrl: server.baseUrl,
    model: 'student',
    retryBaseMs: 1,
    maxAttempts: 2,
  });
  const events: AgentEvent[] = [];
  const record = await runAgent({
    question,
    engine,
    sandbox,
    profile,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const sent = server.completionRequests().map((r) => r.body.messages as ChatMessage[]);
  return { record, events, sent, requests: server.completionRequests() };
}

const fence = (code: string): string => `Thought: t\nCode:\n\`\`\`py\n${code}\n\`\`\``;

describe('agent protocol, byte for byte', () => {
  it('runs a multi-step task: request options, stored turns, observations, final answer', async () => {
    const { record, sent, requests, events } = await run(
      [
        fence('r = web_search("Eiffel Tower")\nprint(r)'),
        fence('n = 3 * 4\nn'),
        fence('final_answer(n)'),
      ],
      'When?',
    );
    expect(record.status).toBe('answered');
    expect(record.answer).toBe('12');
    expect(sent).toHaveLength(3);
    const body = requests[0]?.body;
    expect(body).toMatchObject({
      model: 'student',
      temperature: 0.4,
      top_p: 0.8,
      max_tokens: 1024,
      stop: ['<end_code>', 'Observation:', 'Calling tools:'],
    });
    expect(body?.n).toBeUndefined();
    expect(sent[0]).toEqual([
      { role: 'system', content: profile.agentSystem },
      { role: 'user', content: TASK('When?') },
    ]);
    expect(sent[2]).toEqual([
      { role: 'system', content: profile.agentSystem },
      { role: 'user', content: TASK('When?') },
      {
        role: 'assistant',
        content: fence('r = web_search("Eiffel Tower")\nprint(r)') + '<end_code>',
      },
      {
        role: 'user',
        content:
          'Call id: call_1\nObservation:\nExecution logs:\n\nRetrieved documents:\n\n===== Document 0, similarity: 0.50 =====\n"T"\nabout Eiffel Tower\nLast output from code snippet:\nNone',
      },
      { role: 'assistant', content: fence('n = 3 * 4\nn') + '<end_code>' },
      {
        role: 'user',
        content:
          'Call id: call_2\nObservation:\nExecution logs:\nLast output from code snippet:\n12',
      },
    ]);
    expect(record.steps[2]?.observation).toBe(
      'Call id: call_3\nObservation:\nExecution logs:\nLast output from code snippet:\n12',
    );
    expect(record.steps[0]?.execution?.toolCalls[0]?.args).toEqual({ query: 'Eiffel Tower' });
    expect(events.map((e) => e.type)).toContain('final-answer');
    expect(record.modelCalls).toHaveLength(3);
    expect(record.usage.promptTokens).toBe(30);
  });

  it('answers a parse error with the reference text and no Call id', async () => {
    const { sent, record } = await run(['I am not sure what to do.', fence('final_answer("ok")')]);
    expect(record.steps[0]?.parseError).not.toBeNull();
    expect(sent[1]?.slice(2)).toEqual([
      { role: 'assistant', content: 'I am not sure what to do.' },
      {
        role: 'user',
        content:
          'Error:\nError in code parsing:\nYour code snippet is invalid, because the regex pattern ```(?:py|python)?\\n(.*?)\\n``` was not found in it.\nHere is your code snippet:\nI am not sure what to do.\nMake sure to include code with the correct pattern, for instance:\nThoughts: Your thoughts\nCode:\n```py\n# Your python code here\n```<end_code>\nMake sure to provide correct code blobs.' +
          NUDGE,
      },
    ]);
  });

  it('runs a fence-less output that parses as Python', async () => {
    const { record } = await run(['final_answer(7)']);
    expect(record.answer).toBe('7');
  });

  it('reports an execution error without printed output', async () => {
    const { sent } = await run([fence('x = 1 / 0'), fence('final_answer(1)')]);
    expect(sent[1]?.[3]).toEqual({
      role: 'user',
      content:
        "Call id: call_1\nError:\nCode execution failed at line 'x = 1 / 0' due to: ZeroDivisionError: division by zero" +
        NUDGE,
    });
  });

  it('reports an execution error after printed output as one merged user message', async () => {
    const { sent } = await run([
      fence('print("before")\ny = undefined_name'),
      fence('final_answer(1)'),
    ]);
    expect(sent[1]?.[3]).toEqual({
      role: 'user',
      content:
        "Call id: call_1\nObservation:\nExecution logs:\nbefore\nCall id: call_1\nError:\nCode execution failed at line 'y = undefined_name' due to: InterpreterError: The variable `undefined_name` is not defined." +
        NUDGE,
    });
  });

  it('reports a syntax error in the extracted code', async () => {
    const { sent } = await run([fence('x = (1 +'), fence('final_answer(1)')]);
    const obs = sent[1]?.[3]?.content ?? '';
    expect(
      obs.startsWith(
        'Call id: call_1\nError:\nCode parsing failed on line 1 due to: SyntaxError\n',
      ),
    ).toBe(true);
    expect(obs).toContain('x = (1 +');
    expect(obs).toContain('^');
    expect(obs.endsWith(NUDGE)).toBe(true);
  });

  it('keeps final_answer callable when the code assigns to it', async () => {
    const { record, sent } = await run([fence('final_answer = 5\nfinal_answer(final_answer * 2)')]);
    expect(record.answer).toBe('10');
    expect(record.steps[0]?.code).toBe(
      'final_answer_variable = 5\nfinal_answer(final_answer_variable * 2)',
    );
    // The stored assistant turn is what the model wrote, not the rewritten code.
    expect(record.messages[2]?.content).toBe(
      fence('final_answer = 5\nfinal_answer(final_answer * 2)') + '<end_code>',
    );
    expect(sent).toHaveLength(1);
  });

  it('makes the fallback call after max steps, merging the last observation and the prompt', async () => {
    const { record, sent, requests } = await run(
      [fence('a = 1\nprint(a)'), fence('b = 2'), 'The answer is 3.'],
      'Sum?',
      { maxSteps: 2 },
    );
    expect(record.status).toBe('fallback');
    expect(record.answer).toBe('The answer is 3.');
    expect(requests[2]?.body.stop).toBeUndefined();
    expect(sent[2]).toEqual([
      { role: 'system', content: profile.fallbackSystem },
      { role: 'user', content: TASK('Sum?') },
      { role: 'assistant', content: fence('a = 1\nprint(a)') + '<end_code>' },
      {
        role: 'user',
        content:
          'Call id: call_1\nObservation:\nExecution logs:\n1\nLast output from code snippet:\nNone',
      },
      { role: 'assistant', content: fence('b = 2') + '<end_code>' },
      {
        role: 'user',
        content:
          'Call id: call_2\nObservation:\nExecution logs:\nLast output from code snippet:\n2Based on the above, please provide an answer to the following user task:\nSum?',
      },
    ]);
  });

  it('keeps variables across steps of one task and forgets them in the next task', async () => {
    const first = await run([fence('kept = 41'), fence('final_answer(kept + 1)')]);
    expect(first.record.answer).toBe('42');
    await server?.close();
    const second = await run([fence('final_answer(kept)'), fence('final_answer("fresh")')]);
    expect(second.record.steps[0]?.execution?.status).toBe('error');
    expect(second.record.answer).toBe('fresh');
  });

  it('ends with a clear error when the server answers garbage', async () => {
    const { record } = await run([{ rawBody: 'not json at all' }]);
    expect(record.status).toBe('error');
    expect(record.error?.code).toBe('engine_bad_response');
    expect(record.error?.message).toContain('did not answer with JSON');
  });

  it('ends with a clear error when the server is down', async () => {
    server = await startFakeOpenAIServer();
    const baseUrl = server.baseUrl;
    await server.close();
    server = undefined;
    const engine = createOpenAIEngine({ baseUrl, model: 'm', retryBaseMs: 1, maxAttempts: 2 });
    const record = await runAgent({ question: 'Q', engine, sandbox, profile });
    expect(record.status).toBe('error');
    expect(record.error?.code).toBe('engine_unreachable');
    expect(record.error?.message).toMatch(/Cannot reach the model server .*connection refused/);
  });

  it('can be cancelled mid-run', async () => {
    server = await startFakeOpenAIServer({
      script: [{ choices: [fence('final_answer(1)')], delayMs: 3000 }],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const record = await runAgent({ question: 'Q', engine, sandbox, profile, signal: ac.signal });
    expect(record.status).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
