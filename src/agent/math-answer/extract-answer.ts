/**
 * The reference's `extract_answer(pred_str, data_name="math")` (math_utils/qwen_math_parser.py
 * lines 485-574): the last \boxed{...} (or the text after "the answer is", or the last number),
 * then `strip_string`.
 */
import { pyStrip } from './python-builtins.ts';
import { stripString } from './strip-string.ts';

/** The braced group right after the last `marker`, braces counted without escapes. */
function afterLast(text: string, marker: string): string {
  const ans = text.split(marker).pop() ?? '';
  if (ans.length === 0) return '';
  if (ans[0] !== '{') return pyStrip(ans.split('$')[0] ?? '');
  let depth = 1;
  let out = '';
  for (const c of ans.slice(1)) {
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) break;
    out += c;
  }
  return out;
}

export function extractAnswer(input: string): string {
  const text = input.split('\u043a\u0438').join('');
  let pred: string;
  if (text.includes('final answer is $') && text.includes('$. I hope')) {
    const tail = text.split('final answer is $').slice(1).join('final answer is $');
    pred = pyStrip(tail.split('$. I hope')[0] ?? '');
  } else if (text.includes('boxed')) {
    pred = afterLast(text, 'boxed');
  } else if (text.includes('oxed')) {
    pred = afterLast(text, 'oxed');
  } else if (text.includes('he answer is')) {
    pred = pyStrip(text.split('he answer is').pop() ?? '');
  } else if (text.includes('final answer is')) {
    pred = pyStrip(text.split('final answer is').pop() ?? '');
  } else if (text.includes('答案是')) {
    const after = text.split('答案是')[1] ?? '';
    pred = pyStrip(pyStrip(after).split('\n\n')[0] ?? '');
  } else {
    const numbers = text
      .split(',')
      .join('')
      .match(/-?\p{Nd}*\.?\p{Nd}+/gu);
    pred = numbers?.[numbers.length - 1] ?? '';
  }
  pred = pred.replace(/\n\s*/g, '');
  if (pred !== '' && pred[0] === ':') pred = pred.slice(1);
  if (pred !== '' && pred.endsWith('.')) pred = pred.slice(0, -1);
  if (pred !== '' && pred.endsWith('/')) pred = pred.slice(0, -1);
  return stripString(pred);
}
