/** Token-usage arithmetic: the one place counts are summed (runs, turns, and an engine's n requests). */
import type { TokenUsage } from './ports.ts';

export function emptyUsage(): TokenUsage {
  return { promptTokens: 0, completionTokens: 0 };
}

/** Sums token counts; speeds are kept from the latest report (they are rates, not totals). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    prefillTokensPerSecond: b.prefillTokensPerSecond ?? a.prefillTokensPerSecond,
    decodeTokensPerSecond: b.decodeTokensPerSecond ?? a.decodeTokensPerSecond,
  };
}

/** Like addUsage, for backends that may report no usage: undefined only when neither did. */
export function addOptionalUsage(
  a: TokenUsage | undefined,
  b: TokenUsage | undefined,
): TokenUsage | undefined {
  return a && b ? addUsage(a, b) : (a ?? b);
}
