/**
 * The Thought/Code/Observation loop of docs/protocol.md sections 1-6: one question in, a complete run
 * record out; or a follow-up question that continues an earlier record's memory (follow-up.ts).
 * Engine, sandbox and tools come from the caller; this file knows none of them.
 */
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatEngine,
  ExecutionResult,
  PythonSandbox,
} from './ports.ts';
import { PlaygroundError, isAbortError, throwIfAborted } from '../errors.ts';
import { extractCode } from './code-extraction.ts';
import {
  DEFAULT_MAX_STEPS,
  DEFAULT_MAX_TOKENS,
  STOP_SEQUENCES,
  fallbackMessages,
  mergeConsecutive,
  storedAssistantOutput,
  withEndCode,
  taskMessage,
} from './conversation.ts';
import { asContextError, assertFits, measuredRate } from './context-window.ts';
import type { AgentEventListener } from './events.ts';
import { followUpMessages, memoryLength, startFollowUp, summarizeTurns } from './follow-up.ts';
import { executionObservation, parseErrorObservation } from './observation.ts';
import type { PromptProfile } from './prompt-profile.ts';
import { newRunRecord } from './run-record-builder.ts';
import { addUsage } from './token-usage.ts';
import type {
  Candidate,
  ModelCall,
  RunRecord,
  RunSettings,
  StepRecord,
  TaskTurn,
} from './run-record.ts';
import { vote } from './sag-vote.ts';
import { SETTINGS } from './settings.ts';

export const DEFAULT_PYTHON_TIMEOUT_MS = SETTINGS.pythonTimeoutS.default * 1000;
export const MAX_SAMPLES = SETTINGS.samples.max;

export interface AgentRunOptions {
  question: string;
  engine: ChatEngine;
  sandbox: PythonSandbox;
  profile: PromptProfile;
  maxSteps?: number;
  /** SAG candidates per step; 1 = a single sample. */
  samples?: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  pythonTimeoutMs?: number;
  seed?: number;
  /**
   * Teacher side (docs/protocol.md section 7): the assistant turn of step 1 starts with this text and the
   * model continues it. Students never get one.
   */
  firstThoughtPrefix?: string | null;
  /** Overrides the profile's system prompt (e.g. a teacher run with its own long prompt). */
  systemPrompt?: string;
  signal?: AbortSignal;
  onEvent?: AgentEventListener;
  /** Fixed id (e.g. a benchmark question id); a random one otherwise. */
  runId?: string;
  /**
   * A finished agent run to continue (smolagents' `reset=False`): its messages stay, the question
   * is appended as a new task, the sandbox keeps its state, and the returned record is this one
   * with the new turn added. The sandbox must be the one that ran it.
   */
  continueFrom?: RunRecord;
  /** The model's context window in tokens; a step that would not fit ends the run cleanly. */
  contextWindow?: number;
}

interface StepSample {
  output: string;
  code: string | null;
  parseError: string | null;
}

export async function runAgent(options: AgentRunOptions): Promise<RunRecord> {
  const { question, engine, sandbox, profile, signal } = options;
  const emit: AgentEventListener = options.onEvent ?? (() => undefined);
  const samples = Math.max(1, Math.min(MAX_SAMPLES, Math.floor(options.samples ?? 1)));
  const maxSteps = Math.max(1, Math.floor(options.maxSteps ?? DEFAULT_MAX_STEPS));
  const temperature = options.temperature ?? profile.sampling.temperature;
  const topP = options.topP ?? profile.sampling.topP;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const pythonTimeoutMs = options.pythonTimeoutMs ?? DEFAULT_PYTHON_TIMEOUT_MS;

  const settings: RunSettings = {
    mode: 'agent',
    engine: engine.kind,
    model: engine.model,
    promptProfile: profile.id,
    maxSteps,
    samples,
    temperature,
    topP,
    maxTokens,
    pythonTimeoutMs,
    seed: options.seed,
    firstThoughtPrefix: options.firstThoughtPrefix ?? null,
  };
  const followUp = options.continueFrom
    ? startFollowUp(options.continueFrom, question, { ...settings, firstThoughtPrefix: null })
    : null;
  const previous = followUp?.record ?? null;
  const record = previous ?? newRunRecord(options.runId, question, settings);
  /** This question's place in a conversation; only follow-ups (turn > 0) carry it. */
  const turnIndex = followUp?.turnIndex ?? 0;
  const tag = turnIndex > 0 ? { turn: turnIndex } : {};
  /** call_k of step 1 is call_{base + 1}: the reference counts its memory entries. */
  const callBase = options.continueFrom ? memoryLength(options.continueFrom) : 0;
  const turn: TaskTurn | null = followUp?.turn ?? null;
  emit({ type: 'run-started', runId: record.id, question, mode: 'agent', ...tag });

  const conversation: ChatMessage[] = previous
    ? followUpMessages(options.continueFrom ?? previous, question, profile)
    : [
        { role: 'system', content: options.systemPrompt ?? profile.agentSystem },
        { role: 'user', content: taskMessage(question, profile) },
      ];
  record.messages = conversation;
  // Students never get a first-thought prefix, and a follow-up is never a teacher's first step.
  const firstThoughtPrefix = previous ? null : (options.firstThoughtPrefix ?? null);

  const call = async (
    purpose: ModelCall['purpose'],
    step: number | null,
    request: Omit<ChatRequest, 'signal'>,
  ): Promise<ChatResponse> => {
    const startedAt = Date.now();
    const { onToken: _onToken, onSample: _onSample, ...sent } = request;
    assertFits(request.messages, options.contextWindow, measuredRate(record));
    const response = await engine.chat({ ...request, signal });
    record.modelCalls.push({
      purpose,
      step,
      ...tag,
      request: sent,
      outputs: response.choices.map((c) => c.text),
      usage: response.usage,
      latencyMs: response.latencyMs,
      startedAt,
    });
    if (response.usage) {
      record.usage = addUsage(record.usage, response.usage);
      if (turn) turn.usage = addUsage(turn.usage, response.usage);
    }
    return response;
  };

  try {
    throwIfAborted(signal);
    // A follow-up keeps the variables of the questions before it.
    if (!previous) await sandbox.reset();
    let answered = false;
    for (let step = 1; step <= maxSteps && !answered; step++) {
      throwIfAborted(signal);
      const stepRecord = await runStep(step);
      record.steps.push(stepRecord);
      emit({ type: 'step-finished', record: stepRecord });
      const chosen = stepRecord.execution;
      if (chosen?.status === 'final') {
        answered = true;
        record.status = 'answered';
        record.answer = chosen.finalAnswer?.text ?? chosen.output;
        emit({ type: 'final-answer', answer: record.answer, source: 'final_answer' });
      }
    }
    if (!answered) await runFallback();
  } catch (err) {
    const e = asContextError(PlaygroundError.from(err), options.contextWindow);
    record.status = isAbortError(err) || signal?.aborted ? 'aborted' : 'error';
    record.error = e.toJSON();
  }
  record.finishedAt = Date.now();
  if (turn) {
    turn.status = record.status;
    turn.answer = record.answer;
    if (record.error) turn.error = record.error;
    turn.finishedAt = record.finishedAt;
    turn.durationMs = turn.finishedAt - turn.startedAt;
    summarizeTurns(record);
  } else {
    record.durationMs = record.finishedAt - record.startedAt;
  }
  emit({ type: 'run-finished', record });
  return record;

  async function runStep(step: number): Promise<StepRecord> {
    const startedAt = Date.now();
    emit({ type: 'step-started', step });
    const prefix = step === 1 && firstThoughtPrefix ? firstThoughtPrefix : null;
    const messages = mergeConsecutive(
      prefix ? [...conversation, { role: 'assistant', content: prefix }] : conversation,
    );
    const genStart = performance.now();
    const response = await call('step', step, {
      messages,
      temperature,
      topP,
      maxTokens,
      stop: [...STOP_SEQUENCES],
      n: samples,
      seed: options.seed,
      continueFinalMessage: prefix !== null,
      onToken: samples === 1 ? (delta) => emit({ type: 'token', step, delta }) : undefined,
      onSample:
        samples > 1 ? (index) => emit({ type: 'sample', step, index, total: samples }) : undefined,
    });
    const generationMs = performance.now() - genStart;
    const outputs = response.choices.map((c) => (prefix ?? '') + c.text);
    if (outputs.length === 0) {
      throw new PlaygroundError(
        'engine_bad_response',
        'The model server returned no choices. Check the server logs.',
      );
    }
    emit({
      type: 'model-output',
      step,
      outputs,
      usage: response.usage,
      latencyMs: response.latencyMs,
    });

    const parsed: StepSample[] = [];
    for (const output of outputs) {
      const extraction = await extractCode(withEndCode(output), (code) =>
        sandbox.checkSyntax(code),
      );
      parsed.push(
        extraction.ok
          ? { output, code: extraction.code, parseError: null }
          : { output, code: null, parseError: extraction.error },
      );
    }

    const execStart = performance.now();
    const executions = await execute(parsed);
    const candidates: Candidate[] = parsed.map((p, index) => ({
      index,
      output: p.output,
      code: p.code,
      parseError: p.parseError,
      execution: executions[index] ?? null,
      valid: false,
      group: null,
    }));
    const outcome = vote(candidates);
    candidates.forEach((c, i) => {
      c.group = outcome.groupOf[i] ?? null;
      c.valid = c.group !== null;
      if (samples > 1) emit({ type: 'candidate', step, candidate: c, total: samples });
    });
    const chosen = candidates[outcome.chosen] ?? candidates[0];
    if (!chosen) throw new PlaygroundError('internal', 'No candidate to choose from.');
    if (samples > 1) {
      emit({ type: 'vote', step, groups: outcome.groups, chosen: chosen.index });
      if (chosen.execution) await sandbox.adoptCandidate(chosen.index);
    }
    const executionMs = performance.now() - execStart;

    const modelOutput = storedAssistantOutput(chosen.output);
    let observation: string;
    if (chosen.code === null) {
      observation = parseErrorObservation(chosen.parseError ?? 'Error in code parsing.');
      emit({ type: 'error', step, kind: 'parse', message: chosen.parseError ?? '' });
    } else {
      emit({ type: 'code', step, code: chosen.code });
      const execution = chosen.execution;
      if (!execution)
        throw new PlaygroundError('internal', 'The chosen candidate was never executed.');
      observation = executionObservation(callBase + step, execution);
      if (execution.status === 'error') {
        emit({ type: 'error', step, kind: 'execution', message: execution.error?.message ?? '' });
      }
    }
    conversation.push(
      { role: 'assistant', content: modelOutput },
      { role: 'user', content: observation },
    );
    emit({ type: 'observation', step, observation, execution: chosen.execution });

    return {
      step,
      ...tag,
      modelOutput,
      code: chosen.code,
      observation,
      execution: chosen.execution,
      parseError: chosen.parseError,
      candidates,
      groups: outcome.groups,
      chosen: chosen.index,
      startedAt,
      durationMs: Date.now() - startedAt,
      generationMs,
      executionMs,
      usage: response.usage,
    };
  }

  /** Runs the extracted codes: in the task state for one sample, in isolated copies for SAG. */
  async function execute(parsed: StepSample[]): Promise<(ExecutionResult | null)[]> {
    const runOptions = { timeoutMs: pythonTimeoutMs, signal };
    if (samples === 1) {
      const code = parsed[0]?.code;
      return [code == null ? null : await sandbox.execute(code, runOptions)];
    }
    // Every candidate gets a slot so candidate i is sandbox candidate i; a parse failure runs as
    // a no-op and its result is discarded.
    const results = await sandbox.executeCandidates(
      parsed.map((p) => p.code ?? 'None'),
      runOptions,
    );
    return parsed.map((p, i) => (p.code === null ? null : (results[i] ?? null)));
  }

  async function runFallback(): Promise<void> {
    throwIfAborted(signal);
    emit({ type: 'fallback-started' });
    const response = await call('fallback', null, {
      messages: mergeConsecutive(fallbackMessages(conversation, question, profile)),
      temperature,
      topP,
      maxTokens,
      n: 1,
      seed: options.seed,
    });
    const text = response.choices[0]?.text ?? '';
    record.status = 'fallback';
    record.answer = text;
    emit({ type: 'final-answer', answer: text, source: 'fallback' });
  }
}
