/** Tokens/s for OpenAI-compatible servers: the server's own figures, else the stream's clock. */
import { afterEach, describe, expect, it } from 'vitest';
import { clockSpeeds, createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('token speeds of an OpenAI-compatible server', () => {
  it('measures prefill up to the first token and decode after it', () => {
    const u = clockSpeeds(
      { promptTokens: 500, completionTokens: 101 },
      { sentAt: 1000, firstAt: 1250, endAt: 3250 },
    );
    expect(u.prefillTokensPerSecond).toBe(2000);
    expect(u.decodeTokensPerSecond).toBe(50);
  });

  it("keeps the server's own speeds and makes none up without a first token", () => {
    const own = { promptTokens: 5, completionTokens: 9, decodeTokensPerSecond: 7 };
    expect(clockSpeeds(own, { sentAt: 0, firstAt: 10, endAt: 20 }).decodeTokensPerSecond).toBe(7);
    const none = clockSpeeds(
      { promptTokens: 5, completionTokens: 9 },
      { sentAt: 0, firstAt: null, endAt: 20 },
    );
    expect(none.prefillTokensPerSecond).toBeUndefined();
    expect(none.decodeTokensPerSecond).toBeUndefined();
  });

  it('reports speeds for a streamed answer from a server that sends only usage', async () => {
    server = await startFakeOpenAIServer({
      script: [{ choices: ['Thought: hello there'], delayMs: 50 }],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm', maxAttempts: 1 });
    const r = await engine.chat({ messages: [{ role: 'user', content: 'hi' }], onToken: () => {} });
    expect(r.usage?.promptTokens).toBe(10);
    expect(r.usage?.prefillTokensPerSecond).toBeGreaterThan(0);
    expect(r.usage?.prefillTokensPerSecond).toBeLessThan(10 / 0.04);
  });

  it("reads llama.cpp's timings when the server reports them", async () => {
    server = await startFakeOpenAIServer({
      script: [
        {
          rawBody: JSON.stringify({
            choices: [{ index: 0, message: { content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 12, completion_tokens: 3 },
            timings: { prompt_per_second: 812.5, predicted_per_second: 41.25 },
          }),
        },
      ],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm', maxAttempts: 1 });
    const r = await engine.chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(r.usage).toEqual({
      promptTokens: 12,
      completionTokens: 3,
      prefillTokensPerSecond: 812.5,
      decodeTokensPerSecond: 41.25,
    });
  });
});
