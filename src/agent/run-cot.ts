/** PROTOCOL section 8: the chain-of-thought baseline, one greedy call. */
import type { ChatEngine, ChatMessage } from './ports.ts';
import { PlaygroundError, isAbortError, throwIfAborted } from '../errors.ts';
import { extractCotAnswer } from './answer-extraction.ts';
import { COT_MAX_TOKENS } from './conversation.ts';
import type { AgentEventListener } from './events.ts';
import type { PromptProfile } from './prompt-profile.ts';
import { newRunRecord } from './run-record-builder.ts';
import { addUsage } from './token-usage.ts';
import type { RunRecord } from './run-record.ts';

export interface CotRunOptions {
  question: string;
  engine: ChatEngine;
  profile: PromptProfile;
  /** 'math' takes the last \boxed{} inside the answer tag; 'auto' does so when there is one. */
  kind?: 'math' | 'factual' | 'auto';
  maxTokens?: number;
  seed?: number;
  signal?: AbortSignal;
  onEvent?: AgentEventListener;
  runId?: string;
  /** 'first-thought' when a teacher's CoT seeds an agent run. */
  purpose?: 'cot' | 'first-thought';
}

export async function runCot(options: CotRunOptions): Promise<RunRecord> {
  const { question, engine, profile, signal } = options;
  const emit: AgentEventListener = options.onEvent ?? (() => undefined);
  const maxTokens = options.maxTokens ?? COT_MAX_TOKENS;
  const record = newRunRecord(options.runId, question, {
    mode: 'cot',
    engine: engine.kind,
    model: engine.model,
    promptProfile: profile.id,
    maxSteps: 1,
    samples: 1,
    temperature: 0,
    topP: 1,
    maxTokens,
    pythonTimeoutMs: 0,
    seed: options.seed,
  });
  emit({ type: 'run-started', runId: record.id, question, mode: 'cot' });
  const messages: ChatMessage[] = [
    { role: 'system', content: profile.cotSystem },
    { role: 'user', content: question },
  ];
  record.messages = [...messages];
  try {
    throwIfAborted(signal);
    emit({ type: 'step-started', step: 1 });
    const request = { messages, temperature: 0, topP: 1, maxTokens, n: 1, seed: options.seed };
    const startedAt = Date.now();
    const response = await engine.chat({
      ...request,
      signal,
      onToken: (delta) => emit({ type: 'token', step: 1, delta }),
    });
    const text = response.choices[0]?.text ?? '';
    record.modelCalls.push({
      purpose: options.purpose ?? 'cot',
      step: 1,
      request,
      outputs: response.choices.map((c) => c.text),
      usage: response.usage,
      latencyMs: response.latencyMs,
      startedAt,
    });
    if (response.usage) record.usage = addUsage(record.usage, response.usage);
    emit({
      type: 'model-output',
      step: 1,
      outputs: [text],
      usage: response.usage,
      latencyMs: response.latencyMs,
    });
    record.messages.push({ role: 'assistant', content: text });
    record.response = text;
    record.answer = extractCotAnswer(text, options.kind ?? 'auto');
    record.status = 'answered';
    emit({ type: 'final-answer', answer: record.answer, source: 'cot' });
  } catch (err) {
    record.status = isAbortError(err) || signal?.aborted ? 'aborted' : 'error';
    record.error = PlaygroundError.from(err).toJSON();
  }
  record.finishedAt = Date.now();
  record.durationMs = record.finishedAt - record.startedAt;
  emit({ type: 'run-finished', record });
  return record;
}
