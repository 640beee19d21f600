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
 * included): about 1 when each query term occurs once in an average-length passage. The curve
 * is strictly increasing, 0 for no match, and puts good matches near the 0.8 that dense
 * retrievers print, so the number reads the same way to the model.
 */
export function toSimilarity(score: number, queryIdfSum: number): number {
  if (!(score > 0) || !(queryIdfSum > 0)) return 0;
  const coverage = score / queryIdfSum;
  return coverage / (coverage + 0.25);
}
