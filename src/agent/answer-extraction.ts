/** PROTOCOL section 8: the answer inside a chain-of-thought response. */

/** The text inside the last `<answer>...</answer>`, else the whole response, trimmed. */
export function extractTaggedAnswer(response: string): string {
  const matches = [...response.matchAll(/<answer>(.*?)<\/answer>/gs)];
  const last = matches[matches.length - 1];
  return (last ? (last[1] ?? '') : response).trim();
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

/** The CoT answer: the tagged answer, and for math the last boxed value inside it. */
export function extractCotAnswer(
  response: string,
  kind: 'math' | 'factual' | 'auto' = 'auto',
): string {
  const tagged = extractTaggedAnswer(response);
  if (kind === 'factual') return tagged;
  const boxed = lastBoxed(tagged);
  return boxed ?? tagged;
}

/** First-thought prefix (PROTOCOL section 7): "Thought: " + the response up to the first blank line. */
export function firstThoughtPrefix(cotResponse: string): string {
  const first = (cotResponse.trim().split('\n\n')[0] ?? '').trim();
  return `Thought: ${first}\n\n`;
}
