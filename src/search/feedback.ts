import { tokenize } from './tokenize.ts';

const SENTENCE_END = /[.!?]["')\]]*$/;
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const CAPITALISED = /^\p{Lu}/u;

/**
 * The names a passage mentions, as query terms: its capitalised words that do not start a
 * sentence, minus the terms already asked. Multi-hop questions reach their second entity through
 * the first ("the director of film X"): the passage about X names the director, and a query
 * with that name finds the director's own passage (it earns the whole-title bonus).
 */
export function mentionedNames(text: string, known: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  const words = text.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] ?? '').replace(EDGE_PUNCTUATION, '');
    if (!CAPITALISED.test(word)) continue;
    if (i === 0 || SENTENCE_END.test(words[i - 1] ?? '')) continue;
    for (const t of tokenize(word)) if (!known.has(t)) out.add(t);
  }
  return [...out];
}
