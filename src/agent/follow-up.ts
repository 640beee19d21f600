/**
 * Follow-up questions continue the agent's memory the way smolagents 1.13 does with
 * `run(task, reset=False)`: the earlier tasks and all their steps stay in the messages, the new
 * question is appended as one more "New task:" message, and the Python state is kept. Step
 * numbers start again at 1 for every task (`_run` sets `step_number = 1`), while call ids go on:
 * the reference names a call `call_{len(memory.steps)}`, and its memory holds one entry per task,
 * per action step, and per max-steps finalize step.
 */
import type { ChatMessage } from './ports.ts';
import { PlaygroundError } from '../errors.ts';
import { fallbackTask, taskMessage } from './conversation.ts';
import type { PromptProfile } from './prompt-profile.ts';
import type { RunRecord, RunSettings, StepRecord, TaskTurn } from './run-record.ts';
import { newTaskTurn } from './run-record-builder.ts';

/** Every question of a record: its turns, or the one question a single-question run holds. */
export function recordTurns(record: RunRecord): TaskTurn[] {
  if (record.turns) return record.turns;
  return [
    {
      question: record.question,
      settings: record.settings,
      status: record.status,
      answer: record.answer,
      ...(record.error && { error: record.error }),
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      durationMs: record.durationMs,
      usage: record.usage,
    },
  ];
}

export function turnOf(item: { turn?: number }): number {
  return item.turn ?? 0;
}

/** The steps of question `turn`, in order. */
export function stepsOfTurn(record: RunRecord, turn: number): StepRecord[] {
  return record.steps.filter((s) => turnOf(s) === turn);
}

/**
 * How many entries the reference's memory holds after this record: a task step per question, an
 * action step per step, and a finalize step for each question that ended with the max-steps
 * fallback.
 */
export function memoryLength(record: RunRecord): number {
  const turns = recordTurns(record);
  return turns.length + record.steps.length + turns.filter((t) => t.status === 'fallback').length;
}

/** Why a record cannot take a follow-up, or null when it can. */
export function followUpProblem(record: RunRecord): string | null {
  if (record.settings.mode !== 'agent')
    return 'Follow-up questions continue an agent run; a CoT answer has no agent memory to continue.';
  if (record.status === 'running') return 'The conversation is still running.';
  if (record.messages.length === 0)
    return 'This run ended before the agent started, so there is nothing to continue: start a new chat.';
  return null;
}

/**
 * The messages a follow-up starts from: the record's conversation, closed by the max-steps
 * exchange when the last question ended there. The reference cannot continue after a fallback
 * (its finalize step does not render into memory), so the playground keeps what the model saw
 * and said: the fallback prompt and the answer.
 */
export function continuedMessages(record: RunRecord, profile: PromptProfile): ChatMessage[] {
  const messages = record.messages.map((m) => ({ ...m }));
  const turns = recordTurns(record);
  const last = turns[turns.length - 1];
  if (last?.status === 'fallback' && last.answer !== null) {
    messages.push(
      {
        role: 'user',
        content: profile.fallbackUser.replace('{{task}}', () =>
          fallbackTask(last.question, profile),
        ),
      },
      { role: 'assistant', content: last.answer },
    );
  }
  return messages;
}

/** The conversation a follow-up `question` is asked in: the record's, then the new task message. */
export function followUpMessages(
  record: RunRecord,
  question: string,
  profile: PromptProfile,
): ChatMessage[] {
  return [
    ...continuedMessages(record, profile),
    { role: 'user', content: taskMessage(question, profile) },
  ];
}

/**
 * A checked copy of `record` with a running turn for the follow-up `question` appended, its
 * summary fields set from that turn. `turnIndex`: the new turn's place (1 for the first
 * follow-up).
 */
export function startFollowUp(
  record: RunRecord,
  question: string,
  settings: RunSettings,
): { record: RunRecord; turn: TaskTurn; turnIndex: number } {
  const problem = followUpProblem(record);
  if (problem) throw new PlaygroundError('bad_input', problem);
  // Records are plain JSON (they are saved and exported as such).
  const copy = JSON.parse(JSON.stringify(record)) as RunRecord;
  const turns = recordTurns(copy);
  const turn = newTaskTurn(question, settings);
  copy.turns = [...turns, turn];
  summarizeTurns(copy);
  return { record: copy, turn, turnIndex: turns.length };
}

/** Sets the record's summary fields from its turns (latest status and answer, summed time). */
export function summarizeTurns(record: RunRecord): void {
  const turns = record.turns;
  const last = turns?.[turns.length - 1];
  if (!turns || !last) return;
  record.status = last.status;
  record.answer = last.answer;
  if (last.error) record.error = last.error;
  else delete record.error;
  record.finishedAt = last.finishedAt;
  record.durationMs = turns.reduce((sum, t) => sum + t.durationMs, 0);
}
