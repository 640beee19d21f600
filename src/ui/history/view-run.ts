/** A saved run as a finished RunSession, so History shows it with the same RunView as a live run. */
import { recordTurns, stepsOfTurn } from '../../agent/follow-up.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import { finishRun, fromRecord, newStep, turnsFromRecord } from '../lib/live-run.ts';
import { RunSession } from '../run-session.svelte.ts';

export function sessionFromRecord(record: RunRecord): RunSession {
  const session = new RunSession();
  const turns = recordTurns(record);
  const last = turns.length - 1;
  // A conversation: the earlier questions above, the latest one as the run.
  session.turns = turnsFromRecord(record).slice(0, last);
  session.question = turns[last]?.question ?? record.question;
  session.startedAt = turns[last]?.startedAt ?? record.startedAt;
  session.now = session.startedAt + (turns[last]?.durationMs ?? record.durationMs);
  if (record.settings.mode === 'cot') {
    // CoT keeps no steps in its record; finishRun fills this one from the response.
    const step = newStep(1, 1, 'cot');
    step.startedAt = record.startedAt;
    session.steps = [step];
  } else {
    session.steps = stepsOfTurn(record, last).map((s) => fromRecord(s, undefined));
  }
  finishRun(session, record);
  // Still going (here or in another tab): what is saved so far, not a failure.
  if (record.status === 'running') session.status = 'running';
  return session;
}
