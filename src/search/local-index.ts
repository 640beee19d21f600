import type { Index } from 'flexsearch';
import { throwIfAborted } from '../errors.ts';
import { toContents } from './contents.ts';
import type { ForwardIndex } from './forward-index.ts';
import { termEntry, TF_MASK, TITLE_BIT } from './forward-index.ts';
import type { IndexConfig } from './manifest.ts';
import type { PassageStore } from './passage-store.ts';
import type { Passage, Retriever } from './retriever.ts';
import { idf, toSimilarity } from './similarity.ts';
import { tokenize } from './tokenize.ts';

export interface LocalIndexParts {
  config: IndexConfig;
  flex: Index;
  vocabulary: Map<string, number>;
  df: Uint32Array;
  forward: ForwardIndex;
  avgDocLength: number;
  passages: PassageStore;
}

export interface SearchOptions {
  /** Candidates FlexSearch returns per query term; rare terms are always taken whole. */
  perTermCandidates?: number;
  /** Query terms beyond this many (after dropping repeats) are ignored: 10k-char queries stay fast. */
  maxQueryTerms?: number;
}

/** A ranked hit before its text is loaded. */
export interface ScoredDoc {
  doc: number;
  /** BM25 score. */
  bm25: number;
  /** In [0, 1], what web_search prints. */
  similarity: number;
}

const DEFAULTS: Required<SearchOptions> = { perTermCandidates: 200, maxQueryTerms: 32 };

/**
 * The local retriever: FlexSearch gives candidate passages for each query term (OR, not the
 * default AND, so a multi-word query never comes back empty because one word is missing), then
 * BM25 with the corpus statistics stored in the index ranks them.
 */
export class LocalIndex implements Retriever {
  readonly description: string;
  private readonly options: Required<SearchOptions>;

  constructor(
    readonly parts: LocalIndexParts,
    options: SearchOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.description = `local index (${parts.forward.docCount.toLocaleString('en-US')} passages)`;
  }

  get size(): number {
    return this.parts.forward.docCount;
  }

  /** Ranks without loading passage texts; the benchmark and search() share it. */
  rank(query: string, k: number): ScoredDoc[] {
    const { flex, vocabulary, df, forward, avgDocLength, config } = this.parts;
    const n = forward.docCount;
    const seen = new Set<string>();
    const terms: { id: number; idf: number; df: number; text: string }[] = [];
    let idfSum = 0;
    for (const text of tokenize(query)) {
      if (seen.has(text)) continue;
      seen.add(text);
      if (seen.size > this.options.maxQueryTerms) break;
      const id = vocabulary.get(text);
      const termDf = id === undefined ? 0 : (df[id] ?? 0);
      const w = idf(termDf, n);
      idfSum += w;
      if (id !== undefined && termDf > 0) terms.push({ id, idf: w, df: termDf, text });
    }
    if (terms.length === 0 || k <= 0) return [];

    const candidates = new Set<number>();
    for (const t of terms) {
      const ids = flex.search(t.text, { limit: this.options.perTermCandidates });
      for (const id of ids) candidates.add(Number(id));
    }

    const { k1, b, titleMatchBonus } = config.bm25;
    // Per-term and per-passage constants of termScore() hoisted out of the candidate loop.
    const termIds = terms.map((t) => t.id);
    const weights = terms.map((t) => t.idf * (k1 + 1));
    const idfs = terms.map((t) => t.idf);
    const lengthFactor = (k1 * b) / avgDocLength;
    const base = k1 * (1 - b);
    // The best k so far, best first; candidates rarely beat the k-th, so this stays cheap.
    const topDocs: number[] = [];
    const topScores: number[] = [];
    for (const doc of candidates) {
      const norm = base + lengthFactor * (forward.docLengths[doc] ?? 0);
      let s = 0;
      let titleHits = 0;
      let titleIdf = 0;
      for (let i = 0; i < termIds.length; i++) {
        const entry = termEntry(forward, doc, termIds[i] ?? 0);
        if (entry === 0) continue;
        const tf = entry & TF_MASK;
        s += ((weights[i] ?? 0) * tf) / (tf + norm);
        if (entry & TITLE_BIT) {
          titleHits++;
          titleIdf += idfs[i] ?? 0;
        }
      }
      // Multi-hop questions name their entities: a passage about exactly such an entity.
      if (titleHits > 0 && titleHits === forward.titleLengths[doc]) s += titleMatchBonus * titleIdf;
      if (s <= 0) continue;
      let at = topDocs.length;
      while (
        at > 0 &&
        (s > (topScores[at - 1] ?? 0) || (s === topScores[at - 1] && doc < (topDocs[at - 1] ?? 0)))
      )
        at--;
      if (at >= k) continue;
      topDocs.splice(at, 0, doc);
      topScores.splice(at, 0, s);
      if (topDocs.length > k) {
        topDocs.pop();
        topScores.pop();
      }
    }
    const top: ScoredDoc[] = topDocs.map((doc, i) => {
      const bm25 = topScores[i] ?? 0;
      return { doc, bm25, similarity: toSimilarity(bm25, idfSum) };
    });
    return top;
  }

  async search(query: string, k: number, signal?: AbortSignal): Promise<Passage[]> {
    throwIfAborted(signal);
    const hits = this.rank(query, k);
    return Promise.all(
      hits.map(async (hit) => {
        const [id, title, text] = await this.parts.passages.get(hit.doc, signal);
        return { id, title, text, contents: toContents(title, text), score: hit.similarity };
      }),
    );
  }
}
