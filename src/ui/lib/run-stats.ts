import { turnOf } from '../../agent/follow-up.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import type { TokenUsage } from '../../agent/ports.ts';

/**
 * Run totals (or one question's, in a conversation); tokens/s are averaged over the calls that
 * reported them, weighted by tokens.
 */
export function runUsage(record: RunRecord, turn?: number): TokenUsage {
  const calls =
    turn === undefined ? record.modelCalls : record.modelCalls.filter((c) => turnOf(c) === turn);
  const usage: TokenUsage =
    turn === undefined
      ? { promptTokens: record.usage.promptTokens, completionTokens: record.usage.completionTokens }
      : { promptTokens: 0, completionTokens: 0 };
  let pre = 0;
  let preW = 0;
  let dec = 0;
  let decW = 0;
  for (const c of calls) {
    const u = c.usage;
    if (!u) continue;
    if (turn !== undefined) {
      usage.promptTokens += u.promptTokens;
      usage.completionTokens += u.completionTokens;
    }
    if (u.prefillTokensPerSecond !== undefined) {
      pre += u.prefillTokensPerSecond * u.promptTokens;
      preW += u.promptTokens;
    }
    if (u.decodeTokensPerSecond !== undefined) {
      dec += u.decodeTokensPerSecond * u.completionTokens;
      decW += u.completionTokens;
    }
  }
  if (preW > 0) usage.prefillTokensPerSecond = pre / preW;
  if (decW > 0) usage.decodeTokensPerSecond = dec / decW;
  return usage;
}
