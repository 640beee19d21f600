import type { RunRecord, RunSettings, TaskTurn } from './run-record.ts';
import { emptyUsage } from './token-usage.ts';

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

/** A question's turn in a conversation, as it starts. */
export function newTaskTurn(question: string, settings: RunSettings): TaskTurn {
  return {
    question,
    settings,
    status: 'running',
    answer: null,
    startedAt: Date.now(),
    finishedAt: null,
    durationMs: 0,
    usage: emptyUsage(),
  };
}
