/**
 * PROTOCOL section 9: turning teacher trajectories into supervised fine-tuning samples in the
 * chat-messages form TRL's SFTTrainer and Hugging Face chat datasets read. The rules are the
 * reference's: unified_framework/filter_agent_training_data.py picks the runs,
 * train_utils/preprocess.py (preprocess_logs) turns each into samples.
 */
import type { ChatMessage } from './ports.ts';
import { fallbackMessages, mergeConsecutive } from './conversation.ts';
import type { PromptProfile } from './prompt-profile.ts';
import type { RunRecord } from './run-record.ts';

export interface SftSample {
  messages: ChatMessage[];
}

export type SftVerdict = 'kept' | 'wrong' | 'parse-error' | 'max-steps' | 'failed';

export interface SftSelection {
  verdict: SftVerdict;
  /** Zero, one or two samples: the trajectory, and for a max-steps run the fallback conversation. */
  samples: SftSample[];
}

/** filter_agent_training_data.py lines 10-11: observations that disqualify a run. */
const PARSE_ERROR_MARK = 'Error in code parsing';
const MAX_STEPS_MARK = 'Reached max steps';

/**
 * Decides what a judged run contributes (filter_agent_training_data.py lines 43-85): correct runs
 * only; an observation holding a parse error drops the run, execution errors stay (students learn
 * to recover). A correct run that hit max steps contributes its step trajectory and the fallback
 * conversation that answered (preprocess.py lines 196-212: log_data.messages, then each
 * ActionFinalizeStep's messages).
 */
export function selectSftSamples(
  record: RunRecord,
  correct: boolean,
  distilled: PromptProfile,
): SftSelection {
  if (
    record.settings.mode !== 'agent' ||
    record.status === 'error' ||
    record.status === 'aborted' ||
    record.status === 'running'
  ) {
    return { verdict: 'failed', samples: [] };
  }
  const fallback = record.status === 'fallback';
  if (!correct) return { verdict: fallback ? 'max-steps' : 'wrong', samples: [] };
  // The reference stops at the first observation with either mark (lines 58-72).
  for (const s of record.steps) {
    if (s.observation.includes(PARSE_ERROR_MARK)) return { verdict: 'parse-error', samples: [] };
    if (s.observation.includes(MAX_STEPS_MARK)) return { verdict: 'max-steps', samples: [] };
  }
  const trajectory: SftSample = { messages: trajectoryMessages(record, distilled) };
  if (!fallback) return { verdict: 'kept', samples: [trajectory] };
  if (record.answer === null) return { verdict: 'max-steps', samples: [] };
  const answered = mergeConsecutive([
    ...fallbackMessages(record.messages, record.question, distilled),
    { role: 'assistant', content: record.answer },
  ]);
  return { verdict: 'max-steps', samples: [trajectory, { messages: answered }] };
}

/**
 * The conversation with the distilled system prompt swapped in (preprocess.py lines 176-198) and a
 * trailing observation dropped (remove_last_user_message, lines 148-153).
 */
export function trajectoryMessages(record: RunRecord, distilled: PromptProfile): ChatMessage[] {
  const messages = record.messages.map((m) => ({ ...m }));
  const first = messages[0];
  if (first?.role === 'system') first.content = distilled.agentSystem;
  const merged = mergeConsecutive(messages);
  if (merged[merged.length - 1]?.role === 'user') merged.pop();
  return merged;
}
