import type { RunRecord } from '../../agent/run-record.ts';
import type { TokenUsage } from '../../engines/chat-engine.ts';

/** Run totals; tokens/s are averaged over the calls that reported them, weighted by tokens. */
export function runUsage(record: RunRecord): TokenUsage {
  const usage: TokenUsage = { ...record.usage };
  let pre = 0;
  let preW = 0;
  let dec = 0;
  let decW = 0;
  for (const c of record.modelCalls) {
    const u = c.usage;
    if (!u) continue;
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
