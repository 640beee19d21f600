/**
 * The Qwen2.5 ChatML template, rendered client-side for servers whose chat endpoint cannot
 * continue an assistant message (docs/protocol.md section 7 over a plain completions endpoint).
 */
import type { ChatMessage } from '../agent/ports.ts';

export const QWEN_DEFAULT_SYSTEM =
  'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';
/** End-of-turn markers a raw completion must stop at. */
export const QWEN_END_OF_TURN = ['<|im_end|>', '<|endoftext|>'];

export function renderQwenPrompt(
  messages: readonly ChatMessage[],
  options: { continueFinalMessage: boolean },
): string {
  let out = '';
  if (messages[0]?.role !== 'system')
    out += `<|im_start|>system\n${QWEN_DEFAULT_SYSTEM}<|im_end|>\n`;
  messages.forEach((m, i) => {
    const last = i === messages.length - 1;
    if (last && options.continueFinalMessage && m.role === 'assistant') {
      out += `<|im_start|>assistant\n${m.content}`;
    } else {
      out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
    }
  });
  const endsOpen =
    options.continueFinalMessage && messages[messages.length - 1]?.role === 'assistant';
  if (!endsOpen) out += '<|im_start|>assistant\n';
  return out;
}
