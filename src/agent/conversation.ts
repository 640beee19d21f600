/** docs/protocol.md section 1: how the conversation is laid out and sent. */
import type { ChatMessage } from './ports.ts';
import { pyStrip } from './python-text.ts';
import type { PromptProfile } from './prompt-profile.ts';
import { SETTINGS } from './settings.ts';

export const STOP_SEQUENCES: readonly string[] = ['<end_code>', 'Observation:', 'Calling tools:'];
export const DEFAULT_MAX_TOKENS = SETTINGS.maxTokens.default;
export const DEFAULT_MAX_STEPS = SETTINGS.maxSteps.default;
export const COT_MAX_TOKENS = 4096;

export function taskMessage(question: string, profile: PromptProfile): string {
  return 'New task:\n' + question + profile.taskSuffix;
}

/**
 * The model output as the reference keeps it (agents.py CodeAgent.step): `<end_code>` appended
 * when the output ends with a closing fence, after any whitespace that follows the fence. Code
 * is extracted from this text, so a parse-error snippet shows the `<end_code>` too.
 */
export function withEndCode(output: string): string {
  return pyStrip(output).endsWith('```') ? output + '<end_code>' : output;
}

/** The assistant turn as stored: the reference strips it when it builds the messages. */
export function storedAssistantOutput(output: string): string {
  return pyStrip(withEndCode(output));
}

/** Consecutive messages with the same role become one, by plain concatenation. */
export function mergeConsecutive(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content += m.content;
    else out.push({ role: m.role, content: m.content });
  }
  return out;
}

/** The question as the fallback prompt names it: the task without the suffix. */
export function fallbackTask(question: string, profile: PromptProfile): string {
  const task = question + profile.taskSuffix;
  const cut = task.indexOf('\n\nIMPORTANT:');
  return cut === -1 ? task : task.slice(0, cut);
}

/** docs/protocol.md section 5: the messages of the max-steps fallback call (before merging). */
export function fallbackMessages(
  conversation: readonly ChatMessage[],
  question: string,
  profile: PromptProfile,
): ChatMessage[] {
  return [
    { role: 'system', content: profile.fallbackSystem },
    ...conversation.slice(1),
    {
      role: 'user',
      content: profile.fallbackUser.replace('{{task}}', () => fallbackTask(question, profile)),
    },
  ];
}
