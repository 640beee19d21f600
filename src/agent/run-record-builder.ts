import type { TokenUsage } from '../engines/chat-engine.ts';
import type { RunRecord, RunSettings } from './run-record.ts';

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

export function newRunRecord(
  id: string | undefined,
  question: string,
  settings: RunSettings,
): RunRecord {
  const startedAt = Date.now();
  return {
    version: 1,
    id: id ?? crypto.randomUUID(),
    question,
    settings,
    status: 'running',
    answer: null,
    steps: [],
    messages: [],
    modelCalls: [],
    startedAt,
    finishedAt: null,
    durationMs: 0,
    usage: emptyUsage(),
  };
}
