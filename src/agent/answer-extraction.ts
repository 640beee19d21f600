/** PROTOCOL section 8: the answer inside a chain-of-thought response. */
import { extractAnswer } from './math-answer/extract-answer.ts';
import { pyStrip } from './python-text.ts';

/** A response around its FIRST `<answer>...</answer>` (re.search); null when it has none. */
export function answerTagParts(
  response: string,
): { before: string; inside: string; after: string } | null {
  const match = /<answer>([\s\S]*?)<\/answer>/.exec(response);
  if (!match) return null;
  return {
    before: response.slice(0, match.index),
    inside: match[1] ?? '',
    after: response.slice(match.index + match[0].length),
  };
}

/**
 * As processors/reasoning.py lines 171-186: the FIRST `<answer>...</answer>` (re.search), its
 * inside stripped; with no tag, the whole response as it came (not trimmed).
 */
export function extractTaggedAnswer(response: string): string {
  const parts = answerTagParts(response);
  return parts ? pyStrip(parts.inside) : response;
}

/**
 * reasoning.py lines 208-215, for math: a one-paragraph answer is wrapped as "\x08oxed{...}"
 * (the reference wrote "\boxed" in a plain Python string, where "\b" is a backspace), then
 * `extract_answer` takes the last \boxed{} (or that wrapper, through its "oxed" rule) and
 * normalises it with `strip_string`.
 */
export function extractMathCotAnswer(answer: string): string {
  const wrapped =
    !answer.includes('\u0008oxed') && answer.split('\n\n').length === 1
      ? `\u0008oxed{${answer}}`
      : answer;
  return extractAnswer(wrapped);
}

/** Index of the brace closing the one opened just before `open`, or -1; `\{` does not count. */
export function closingBrace(s: string, open: number): number {
  let depth = 1;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The content of the last `\boxed{...}` (or `\fbox{...}`), braces balanced; null when absent. */
export function lastBoxed(text: string): string | null {
  const starts = [...text.matchAll(/\\(?:boxed|fbox)\s*\{/g)];
  for (let k = starts.length - 1; k >= 0; k--) {
    const m = starts[k];
    if (!m) continue;
    const open = (m.index ?? 0) + m[0].length;
    const close = closingBrace(text, open);
    if (close >= 0) return text.slice(open, close);
  }
  return null;
}

/**
 * The CoT answer: the tagged answer, and for math the reference's extraction on top. 'auto' (a
 * question of unknown kind) treats an answer holding "boxed" as math.
 */
export function extractCotAnswer(
  response: string,
  kind: 'math' | 'factual' | 'auto' = 'auto',
): string {
  const tagged = extractTaggedAnswer(response);
  if (kind === 'math' || (kind === 'auto' && tagged.includes('boxed')))
    return extractMathCotAnswer(tagged);
  return tagged;
}

/**
 * First-thought prefix (PROTOCOL section 7), as first_thought_prefix/build_prefix_memory.py line
 * 31-32 builds it: "Thought: " + the response up to its first blank line + "\n\n", nothing trimmed.
 */
export function firstThoughtPrefix(cotResponse: string): string {
  return `Thought: ${cotResponse.split('\n\n')[0] ?? ''}\n\n`;
}
