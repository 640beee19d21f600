/** How full the model's context window is, for the chat's meter and its follow-up form. */
import { contextLevel, nextQuestionTokens, type ContextUse } from '../../agent/context-window.ts';
import { PROMPT_PROFILES } from '../../agent/prompt-profile.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import type { TokenUsage } from '../../agent/ports.ts';
import { registry } from '../models.svelte.ts';
import type { RunConfig } from './run-config.ts';

/** The context window of a run's model, when the app knows it (registry models in WebLLM). */
export function contextWindowFor(config: RunConfig): number | null {
  if (config.engine !== 'webllm') return null;
  return registry.models.find((m) => m.id === config.model)?.contextWindowSize ?? null;
}

/** A use with no known window: a count only. */
export type Meter = ContextUse | { tokens: number; window: null; measured: boolean; level: 'ok' };

function meter(tokens: number, window: number | null, measured: boolean): Meter {
  return window
    ? contextLevel(tokens, window, measured)
    : { tokens, window: null, measured, level: 'ok' };
}

/**
 * While a question runs, the engine's own count for its latest single-sample step; between
 * questions, the conversation plus a new task message, estimated at the measured rate.
 */
export function conversationMeter(
  config: RunConfig,
  record: RunRecord | null,
  live: { usage: TokenUsage | null | undefined; samples: number } | null,
): Meter | null {
  const window = contextWindowFor(config);
  if (live?.usage && live.samples === 1)
    return meter(live.usage.promptTokens + live.usage.completionTokens, window, true);
  if (!record || record.messages.length === 0) return null;
  const next = nextQuestionTokens(record, PROMPT_PROFILES[record.settings.promptProfile]);
  return meter(next.tokens, window, next.measured);
}
