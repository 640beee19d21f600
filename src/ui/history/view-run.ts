/** A saved run as a finished RunSession, so History shows it with the same RunView as a live run. */
import type { RunRecord } from '../../agent/run-record.ts';
import { finishRun, fromRecord, newStep } from '../lib/live-run.ts';
import { RunSession } from '../run-session.svelte.ts';

export function sessionFromRecord(record: RunRecord): RunSession {
  const session = new RunSession();
  session.question = record.question;
  session.startedAt = record.startedAt;
  session.now = record.startedAt + record.durationMs;
  if (record.settings.mode === 'cot') {
    // CoT keeps no steps in its record; finishRun fills this one from the response.
    const step = newStep(1, 1, 'cot');
    step.startedAt = record.startedAt;
    session.steps = [step];
  } else {
    session.steps = record.steps.map((s) => fromRecord(s, undefined));
  }
  finishRun(session, record);
  // Still going (here or in another tab): what is saved so far, not a failure.
  if (record.status === 'running') session.status = 'running';
  return session;
}
