/**
 * Splits an article into passages of about `chunkWords` words, the way the DPR wiki-18 corpus
 * was cut (consecutive word windows). A short tail joins the previous passage instead of
 * becoming a passage that retrieval would rank on a handful of words.
 */
export function chunkArticle(text: string, chunkWords: number): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return [];
  const size = Math.max(1, Math.floor(chunkWords));
  const chunks: string[][] = [];
  for (let i = 0; i < words.length; i += size) chunks.push(words.slice(i, i + size));
  const last = chunks[chunks.length - 1];
  const prev = chunks[chunks.length - 2];
  if (last && prev && last.length < size / 4) {
    prev.push(...last);
    chunks.pop();
  }
  return chunks.map((c) => c.join(' '));
}

/** Joins a paragraph's sentences: HotpotQA's carry their own leading space, 2Wiki's do not. */
export function joinSentences(sentences: readonly string[]): string {
  let out = '';
  for (const s of sentences) {
    if (out.length > 0 && !/^\s/.test(s) && !/\s$/.test(out)) out += ' ';
    out += s;
  }
  return out;
}
