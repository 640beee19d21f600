import { formatScore } from './format.ts';

/**
 * Okapi BM25 pieces shared by the index and the benchmark baseline, and the mapping from a BM25
 * score to the similarity in [0, 1] that web_search prints.
 */
export interface Bm25Params {
  k1: number;
  b: number;
}

/** Lucene's non-negative idf. */
export function idf(df: number, docCount: number): number {
  return Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
}

export function termScore(
  tf: number,
  docLength: number,
  avgDocLength: number,
  termIdf: number,
  p: Bm25Params,
): number {
  const norm = p.k1 * (1 - p.b + (p.b * docLength) / avgDocLength);
  return (termIdf * tf * (p.k1 + 1)) / (tf + norm);
}

/**
 * `coverage` is the BM25 score divided by the summed idf of every query term (unknown terms
 * included): about 1 when each query term occurs once in an average-length passage, 2 and more
 * when the passage is about an entity the query names. The curve is strictly increasing, 0 for
 * no match, puts good matches near the 0.8 that dense retrievers print, and is steep enough
 * there that different passages print different values.
 */
export function toSimilarity(score: number, queryIdfSum: number): number {
  if (!(score > 0) || !(queryIdfSum > 0)) return 0;
  const coverage = score / queryIdfSum;
  return 0.97 * (1 - Math.exp(-1.6 * coverage));
}

function hundredths(x: number): number {
  return Math.round(Number(formatScore(x)) * 100);
}

/**
 * Similarities of a ranked list (best first) as printed to two decimals: a passage that scores
 * strictly lower than the one above it prints strictly lower too (at most a few hundredths below
 * its own value), so the model can tell results apart; equal scores still print equal.
 */
export function separateScores(scores: readonly number[], sims: readonly number[]): number[] {
  const out = [...sims];
  for (let i = 1; i < out.length; i++) {
    const prev = hundredths(out[i - 1] ?? 0);
    if ((scores[i] ?? 0) < (scores[i - 1] ?? 0) && hundredths(out[i] ?? 0) >= prev && prev > 0) {
      out[i] = (prev - 1) / 100;
    }
  }
  return out;
}
