/**
 * How much of the model's context window a conversation uses. Engines report prompt tokens after
 * a call; before one, the size is estimated from the characters, at the rate the engine's own
 * counts measured on this conversation (or a cautious default before any count came back).
 */
import type { ChatMessage } from './ports.ts';
import { PlaygroundError } from '../errors.ts';
import { followUpMessages } from './follow-up.ts';
import type { PromptProfile } from './prompt-profile.ts';
import type { RunRecord } from './run-record.ts';

/** ChatML wraps every message in `<|im_start|>role\n` ... `<|im_end|>\n`. */
export const TOKENS_PER_MESSAGE = 5;
/** Cautious: English prose runs ~4 characters a token in Qwen's vocabulary, code and numbers fewer. */
export const DEFAULT_TOKENS_PER_CHAR = 1 / 3;
/** A step needs room to write its action; below this many free tokens it is not started. */
export const MIN_GENERATION_TOKENS = 256;
/** From this share of the window on, the user is told the conversation is getting long. */
export const CONTEXT_WARN_SHARE = 0.75;

export interface TokenRate {
  tokensPerChar: number;
  /** True when measured from the engine's own count for this conversation. */
  measured: boolean;
}

function chars(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + m.content.length, 0);
}

/** The rate of the latest single-sample call with a prompt count (SAG counts may be summed). */
export function measuredRate(record: RunRecord | null): TokenRate {
  const calls = record?.modelCalls ?? [];
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i];
    const prompt = call?.usage?.promptTokens;
    if (!call || !prompt || (call.request.n ?? 1) !== 1) continue;
    const text = chars(call.request.messages);
    const content = prompt - TOKENS_PER_MESSAGE * call.request.messages.length;
    if (text > 0 && content > 0) return { tokensPerChar: content / text, measured: true };
  }
  return { tokensPerChar: DEFAULT_TOKENS_PER_CHAR, measured: false };
}

export function estimateTokens(messages: readonly ChatMessage[], rate: TokenRate): number {
  return Math.ceil(chars(messages) * rate.tokensPerChar + TOKENS_PER_MESSAGE * messages.length);
}

/**
 * What a next question would start from: the conversation a follow-up continues (with the
 * max-steps exchange, when the last question ended there) plus a new task message, estimated at
 * the rate measured on it. Without the profile, only the record's own messages are known.
 */
export function nextQuestionTokens(
  record: RunRecord,
  profile: PromptProfile | undefined,
): { tokens: number; measured: boolean } {
  const next = profile ? followUpMessages(record, '', profile) : record.messages;
  const rate = measuredRate(record);
  return { tokens: estimateTokens(next, rate), measured: rate.measured };
}

export interface ContextUse {
  /** Tokens the conversation holds (estimated, or counted by the engine). */
  tokens: number;
  window: number;
  measured: boolean;
  /** Tokens left for the next step to generate (never negative). */
  free: number;
  level: 'ok' | 'warn' | 'full';
}

export function contextUse(
  messages: readonly ChatMessage[],
  window: number,
  rate: TokenRate,
): ContextUse {
  return contextLevel(estimateTokens(messages, rate), window, rate.measured);
}

export function contextLevel(tokens: number, window: number, measured: boolean): ContextUse {
  const free = Math.max(0, window - tokens);
  return {
    tokens,
    window,
    measured,
    free,
    level:
      free < MIN_GENERATION_TOKENS ? 'full' : tokens >= window * CONTEXT_WARN_SHARE ? 'warn' : 'ok',
  };
}

export function contextFullError(tokens: number, window: number): PlaygroundError {
  return new PlaygroundError(
    'context_full',
    `The conversation no longer fits the model's context window (about ${tokens.toLocaleString('en-US')} of ${window.toLocaleString('en-US')} tokens, with room needed for the next step). Start a new chat; the answers so far are kept in History.`,
  );
}

/** Throws context_full before a request that cannot fit, so no engine error reaches the user. */
export function assertFits(
  messages: readonly ChatMessage[],
  window: number | undefined,
  rate: TokenRate,
): void {
  if (!window) return;
  const use = contextUse(messages, window, rate);
  if (use.level === 'full') throw contextFullError(use.tokens, window);
}

/** WebLLM, llama.cpp, vLLM and OpenAI name an overflow in their own words. */
const OVERFLOW =
  /context window size|exceeds? the (available )?context|maximum context length|context length exceeded|context_length_exceeded|too many tokens in (the )?prompt/i;

/** An engine's own overflow error, reworded; anything else unchanged. */
export function asContextError(err: PlaygroundError, window: number | undefined): PlaygroundError {
  if (err.code === 'context_full' || !OVERFLOW.test(err.message)) return err;
  return new PlaygroundError(
    'context_full',
    `The conversation no longer fits the model's context window${window ? ` (${window.toLocaleString('en-US')} tokens)` : ''}. Start a new chat; the answers so far are kept in History.`,
    { cause: err },
  );
}
