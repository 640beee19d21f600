import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_SETTING_NAMES } from '../../src/cli/engine-options.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { renderQwenPrompt } from '../../src/engines/qwen-chat-template.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const msgs = [
  { role: 'system' as const, content: 'S' },
  { role: 'user' as const, content: 'U' },
];

async function rejection(p: Promise<unknown>): Promise<PlaygroundError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PlaygroundError);
    return err as PlaygroundError;
  }
  throw new Error('expected a rejection');
}

describe('OpenAI-compatible engine', () => {
  it('sends the sampling options and reads choices and usage', async () => {
    server = await startFakeOpenAIServer({ script: [['a', 'b', 'c']] });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm', apiKey: 'k' });
    const r = await engine.chat({
      messages: msgs,
      temperature: 0.4,
      topP: 0.8,
      maxTokens: 1024,
      stop: ['<end_code>'],
      n: 3,
      seed: 7,
    });
    expect(r.choices.map((c) => c.text)).toEqual(['a', 'b', 'c']);
    expect(r.usage).toEqual({ promptTokens: 10, completionTokens: 15 });
    const req = server.completionRequests()[0];
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer k');
    expect(req?.body).toEqual({
      model: 'm',
      n: 3,
      temperature: 0.4,
      top_p: 0.8,
      max_tokens: 1024,
      stop: ['<end_code>'],
      seed: 7,
      messages: msgs,
    });
  });

  it('makes more requests when the server ignores n', async () => {
    server = await startFakeOpenAIServer({
      script: [
        { choices: ['x'], ignoreN: true },
        { choices: ['y'], ignoreN: true },
        { choices: ['z'], ignoreN: true },
      ],
    });
    const r = await createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' }).chat({
      messages: msgs,
      n: 3,
    });
    expect(r.choices.map((c) => c.text)).toEqual(['x', 'y', 'z']);
    expect(server.completionRequests().map((q) => q.body.n)).toEqual([3, 2, undefined]);
    expect(r.usage?.completionTokens).toBe(15);
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    server = await startFakeOpenAIServer({
      script: [{ status: 429, headers: { 'Retry-After': '0' } }, { status: 503 }, 'ok'],
    });
    const r = await createOpenAIEngine({
      baseUrl: server.baseUrl,
      model: 'm',
      retryBaseMs: 5,
    }).chat({ messages: msgs });
    expect(r.choices[0]?.text).toBe('ok');
    expect(server.completionRequests()).toHaveLength(3);
  });

  it('gives up after the last attempt with the status in the message', async () => {
    server = await startFakeOpenAIServer({ script: [{ status: 500 }, { status: 500 }] });
    const e = await rejection(
      createOpenAIEngine({
        baseUrl: server.baseUrl,
        model: 'm',
        retryBaseMs: 1,
        maxAttempts: 2,
      }).chat({ messages: msgs }),
    );
    expect(e.code).toBe('engine_http');
    expect(e.message).toContain('HTTP 500');
  });

  it('does not retry a 400 and explains a 404', async () => {
    server = await startFakeOpenAIServer({ script: [{ status: 404 }] });
    const e = await rejection(
      createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm', retryBaseMs: 1 }).chat({
        messages: msgs,
      }),
    );
    // The app's own words by default: a browser user has no command line.
    expect(e.message).toContain('Check the Server URL');
    expect(e.message).not.toMatch(/--[a-z]/);
    expect(server.completionRequests()).toHaveLength(1);
  });

  it('names the CLI flags when the CLI builds the engine', async () => {
    server = await startFakeOpenAIServer({ script: [{ status: 404 }, { status: 401 }] });
    const engine = createOpenAIEngine({
      baseUrl: server.baseUrl,
      model: 'm',
      retryBaseMs: 1,
      settingNames: CLI_SETTING_NAMES,
    });
    expect((await rejection(engine.chat({ messages: msgs }))).message).toContain(
      'Check --base-url',
    );
    expect((await rejection(engine.chat({ messages: msgs }))).message).toContain(
      'Check --api-key.',
    );
  });

  it('says the server is unreachable when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await rejection(
      createOpenAIEngine({
        baseUrl: `http://127.0.0.1:${port}/v1`,
        model: 'm',
        retryBaseMs: 1,
        maxAttempts: 2,
      }).chat({ messages: msgs }),
    );
    expect(e.code).toBe('engine_unreachable');
    expect(e.message).toContain('connection refused');
  });

  it('reports garbage as a bad response', async () => {
    server = await startFakeOpenAIServer({
      script: [{ rawBody: '<html>nginx</html>' }, { rawBody: '{"foo":1}' }],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' });
    expect((await rejection(engine.chat({ messages: msgs }))).code).toBe('engine_bad_response');
    expect((await rejection(engine.chat({ messages: msgs }))).message).toContain(
      'without "choices"',
    );
  });

  it('streams tokens for a single sample', async () => {
    server = await startFakeOpenAIServer({ script: ['Hello world'] });
    const deltas: string[] = [];
    const r = await createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' }).chat({
      messages: msgs,
      onToken: (d) => deltas.push(d),
    });
    expect(r.choices[0]?.text).toBe('Hello world');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Hello world');
    expect(r.usage).toMatchObject({ promptTokens: 10, completionTokens: 5 });
    // The server sent no speeds: prefill comes from the stream's clock.
    expect(r.usage?.prefillTokensPerSecond).toBeGreaterThan(0);
  });

  it('stops when aborted', async () => {
    server = await startFakeOpenAIServer({ script: [{ choices: ['late'], delayMs: 2000 }] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const e = await rejection(
      createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' }).chat({
        messages: msgs,
        signal: ac.signal,
      }),
    );
    expect(e.code).toBe('aborted');
  });

  it('continues an assistant message the vLLM way', async () => {
    server = await startFakeOpenAIServer({ script: ['rest'] });
    const prefix = [...msgs, { role: 'assistant' as const, content: 'Thought: P\n\n' }];
    const r = await createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' }).chat({
      messages: prefix,
      continueFinalMessage: true,
    });
    expect(r.choices[0]?.text).toBe('rest');
    const body = server.completionRequests()[0]?.body;
    expect(body?.continue_final_message).toBe(true);
    expect(body?.add_generation_prompt).toBe(false);
  });

  it('falls back to the completions endpoint with the Qwen template when the chat form is refused', async () => {
    server = await startFakeOpenAIServer({ script: [{ status: 400 }, 'rest', 'again'] });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' });
    const prefix = [...msgs, { role: 'assistant' as const, content: 'Thought: P\n\n' }];
    await engine.chat({ messages: prefix, continueFinalMessage: true, stop: ['<end_code>'] });
    await engine.chat({ messages: prefix, continueFinalMessage: true });
    const [first, second, third] = server.completionRequests();
    expect(first?.path).toBe('/v1/chat/completions');
    expect(second?.path).toBe('/v1/completions');
    expect(third?.path).toBe('/v1/completions');
    expect(second?.body.prompt).toBe(
      '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nThought: P\n\n',
    );
    expect(second?.body.stop).toEqual(['<end_code>', '<|im_end|>', '<|endoftext|>']);
  });

  it('renders the Qwen template with the default system prompt and a generation prompt', () => {
    expect(
      renderQwenPrompt([{ role: 'user', content: 'hi' }], { continueFinalMessage: false }),
    ).toBe(
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => createOpenAIEngine({ baseUrl: 'localhost:8000', model: 'm' })).toThrow(
      /not an http\(s\) URL/,
    );
  });
});

describe('OpenAI-compatible engine, streaming edge cases', () => {
  it('reads a JSON answer when the server ignores stream: true', async () => {
    server = await startFakeOpenAIServer({
      script: [
        {
          rawBody: JSON.stringify({
            choices: [{ index: 0, message: { content: 'whole' }, finish_reason: 'stop' }],
          }),
        },
      ],
    });
    const deltas: string[] = [];
    const r = await createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' }).chat({
      messages: msgs,
      onToken: (d) => deltas.push(d),
    });
    expect(r.choices[0]?.text).toBe('whole');
    expect(deltas).toEqual(['whole']);
  });

  it('reports garbage even when streaming was asked for', async () => {
    server = await startFakeOpenAIServer({ script: [{ rawBody: 'not json at all' }] });
    const e = await rejection(
      createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' }).chat({
        messages: msgs,
        onToken: () => undefined,
      }),
    );
    expect(e.code).toBe('engine_bad_response');
  });
});
