/** The context window arithmetic: measured rates, levels, and engines' overflow errors reworded. */
import { describe, expect, it } from 'vitest';
import {
  asContextError,
  assertFits,
  contextLevel,
  DEFAULT_TOKENS_PER_CHAR,
  estimateTokens,
  measuredRate,
  nextQuestionTokens,
  TOKENS_PER_MESSAGE,
} from '../../src/agent/context-window.ts';
import { fallbackTask } from '../../src/agent/conversation.ts';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import type { RunRecord } from '../../src/agent/run-record.ts';
import { PlaygroundError } from '../../src/errors.ts';

const messages = [
  { role: 'system' as const, content: 'x'.repeat(600) },
  { role: 'user' as const, content: 'y'.repeat(400) },
];

function recordWith(calls: RunRecord['modelCalls']): RunRecord {
  return { modelCalls: calls } as RunRecord;
}

describe('context window', () => {
  it("measures the rate from the engine's count of a single-sample call", () => {
    const rate = measuredRate(
      recordWith([
        {
          purpose: 'step',
          step: 1,
          request: { messages },
          outputs: ['o'],
          usage: { promptTokens: 250 + 2 * TOKENS_PER_MESSAGE, completionTokens: 3 },
          latencyMs: 1,
          startedAt: 0,
        },
        // A SAG call's count may be summed over its samples: not used.
        {
          purpose: 'step',
          step: 2,
          request: { messages, n: 4 },
          outputs: ['a', 'b', 'c', 'd'],
          usage: { promptTokens: 99_999, completionTokens: 3 },
          latencyMs: 1,
          startedAt: 0,
        },
      ]),
    );
    expect(rate).toEqual({ tokensPerChar: 0.25, measured: true });
    expect(estimateTokens(messages, rate)).toBe(250 + 2 * TOKENS_PER_MESSAGE);
    expect(measuredRate(null)).toEqual({ tokensPerChar: DEFAULT_TOKENS_PER_CHAR, measured: false });
  });

  it('warns from 75% and calls it full when too little is left for a step', () => {
    expect(contextLevel(1000, 4096, true).level).toBe('ok');
    expect(contextLevel(3100, 4096, true).level).toBe('warn');
    expect(contextLevel(3900, 4096, true)).toMatchObject({ level: 'full', free: 196 });
    const rate = { tokensPerChar: 1, measured: true };
    expect(() => assertFits(messages, 1000, rate)).toThrow(/no longer fits .* Start a new chat/);
    expect(() => assertFits(messages, undefined, rate)).not.toThrow();
  });

  it("rewords an engine's own overflow error, and leaves others alone", () => {
    const webllm = new PlaygroundError(
      'internal',
      'WebLLM: Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096',
    );
    expect(asContextError(webllm, 4096)).toMatchObject({ code: 'context_full' });
    const vllm = new PlaygroundError(
      'engine_http',
      "The model server answered HTTP 400: This model's maximum context length is 4096 tokens.",
    );
    expect(asContextError(vllm, undefined).message).toMatch(/^The conversation no longer fits/);
    const other = new PlaygroundError('engine_http', 'HTTP 500: out of cheese');
    expect(asContextError(other, 4096)).toBe(other);
  });

  it('counts the max-steps exchange a follow-up will carry', () => {
    const profile = getPromptProfile('distilled');
    const base = { ...recordWith([]), question: 'Q', messages, turns: undefined };
    const answered = nextQuestionTokens({ ...base, status: 'answered', answer: '42' }, profile);
    const fellBack = nextQuestionTokens({ ...base, status: 'fallback', answer: '42' }, profile);
    const exchange = estimateTokens(
      [
        {
          role: 'user',
          content: profile.fallbackUser.replace('{{task}}', () => fallbackTask('Q', profile)),
        },
        { role: 'assistant', content: '42' },
      ],
      measuredRate(null),
    );
    // Within rounding: each estimate is rounded up once.
    expect(fellBack.tokens - answered.tokens).toBeGreaterThanOrEqual(exchange - 1);
    expect(fellBack.tokens - answered.tokens).toBeLessThanOrEqual(exchange + 1);
  });
});
