/**
 * PROTOCOL section 9: turning teacher trajectories into supervised fine-tuning samples in the
 * chat-messages form TRL's SFTTrainer and Hugging Face chat datasets read.
 */
import type { ChatMessage } from '../engines/chat-engine.ts';
import { fallbackMessages, mergeConsecutive } from './conversation.ts';
import type { PromptProfile } from './prompt-profile.ts';
import type { RunRecord } from './run-record.ts';

export interface SftSample {
  messages: ChatMessage[];
}

export type SftVerdict = 'kept' | 'wrong' | 'parse-error' | 'max-steps' | 'failed';

export interface SftSelection {
  verdict: SftVerdict;
  /** Zero, one or two samples: the trajectory, and the fallback conversation when that was correct. */
  samples: SftSample[];
}

/**
 * Decides what a judged run contributes. Execution errors stay in (students learn to recover);
 * parse errors and max-steps runs do not, but a correct fallback answer is a sample of its own.
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
  if (record.status === 'fallback') {
    if (!correct || record.answer === null) return { verdict: 'max-steps', samples: [] };
    const messages = mergeConsecutive([
      ...fallbackMessages(record.messages, record.question, distilled),
      { role: 'assistant', content: record.answer },
    ]);
    return { verdict: 'max-steps', samples: [{ messages }] };
  }
  if (!correct) return { verdict: 'wrong', samples: [] };
  if (record.steps.some((s) => s.parseError !== null && s.code === null))
    return { verdict: 'parse-error', samples: [] };
  return { verdict: 'kept', samples: [{ messages: trajectoryMessages(record, distilled) }] };
}

/** The conversation with the distilled system prompt swapped in and the final observation dropped. */
export function trajectoryMessages(record: RunRecord, distilled: PromptProfile): ChatMessage[] {
  const messages = record.messages.map((m) => ({ ...m }));
  const first = messages[0];
  if (first?.role === 'system') first.content = distilled.agentSystem;
  if (record.status === 'answered' && messages[messages.length - 1]?.role === 'user')
    messages.pop();
  return mergeConsecutive(messages);
}
