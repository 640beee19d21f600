import { throwIfAborted } from '../errors.ts';
import type { StoredPassage } from './index-builder.ts';
import type { TermEntry } from './index-layout.ts';
import type { IndexManifest } from './manifest.ts';
import type { PassageStore } from './passage-store.ts';
import { TF_MASK, TITLE_BIT, WINDOW_BIT, type PostingList } from './postings.ts';
import type { Passage, Retriever } from '../agent/ports.ts';
import { idf, separateScores, toSimilarity } from './similarity.ts';
import type { TermStore } from './term-store.ts';
import { toContents } from './contents.ts';
import { mentionedNames } from './feedback.ts';
import { tokenize } from './tokenize.ts';

export interface LocalIndexParts {
  manifest: IndexManifest;
  terms: TermStore;
  passages: PassageStore;
}

export interface SearchOptions {
  /**
   * Postings a query reads whole, rarest terms first; a term that would pass this reads only its
   * head (its title occurrences and highest-impact postings). Bounds a query's bytes and time.
   */
  postingsBudget?: number;
  /** Query terms beyond this many (after dropping repeats) are ignored: 10k-char queries stay fast. */
  maxQueryTerms?: number;
  /**
   * Second hop (default on): the names in the best passage are added to the query and the
   * passages this finds fill the places after the first `FEEDBACK_KEEP`.
   */
  feedback?: boolean;
}

/**
 * Passages scored per block: accumulators of ~90 KB whatever the corpus, and small enough that
 * MaxScore (below) skips work in most blocks once the top k are full.
 */
const BLOCK = 1 << 12;
const WORDS = BLOCK >>> 5;

/** First-pass results kept at the top when the second hop fills the rest. */
const FEEDBACK_KEEP = 2;

/** A ranked hit before its text is loaded. */
export interface ScoredDoc {
  doc: number;
  /** BM25 score with title features. */
  bm25: number;
  /** In [0, 1], what web_search prints. */
  similarity: number;
}

const DEFAULTS: Required<SearchOptions> = {
  postingsBudget: 100_000,
  maxQueryTerms: 32,
  feedback: true,
};

/**
 * The local retriever over the sharded index: each query term's postings come from its term
 * shard, BM25 (title terms weighted, plus a bonus for a passage whose whole title the query
 * names) scores every passage holding a query term, and passage texts load last, for the top k.
 */
export class LocalIndex implements Retriever {
  readonly description: string;
  private readonly options: Required<SearchOptions>;
  /** Per-passage accumulators of one block; zero between uses (score() is synchronous). */
  private readonly scratch = {
    sums: new Float64Array(BLOCK),
    titleIdfs: new Float64Array(BLOCK),
    // Up to maxQueryTerms title hits: more than a byte holds when that option is raised.
    titleHits: new Uint16Array(BLOCK),
    titleLengths: new Uint8Array(BLOCK),
    windows: new Uint32Array(BLOCK),
    touched: new Uint32Array(WORDS),
  };

  constructor(
    readonly parts: LocalIndexParts,
    options: SearchOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.description = `local index (${this.size.toLocaleString('en-US')} passages)`;
  }

  get size(): number {
    return this.parts.manifest.counts.passages;
  }

  /** Ranks without loading passage texts; the benchmark and search() share it. */
  async rank(query: string, k: number, signal?: AbortSignal): Promise<ScoredDoc[]> {
    const { manifest, terms: store } = this.parts;
    const n = manifest.counts.passages;
    const unique: string[] = [];
    for (const t of tokenize(query)) {
      if (!unique.includes(t)) unique.push(t);
      if (unique.length >= this.options.maxQueryTerms) break;
    }
    if (unique.length === 0 || k <= 0) return [];
    const entries = await Promise.all(
      unique.map(async (t) => {
        const entry = await store.lookup(t, signal);
        // A term this rare is read whole unless the query is all common terms: its tail can
        // come while the other terms are still being looked up (one wait fewer when cold).
        if (entry?.tail && entry.df <= this.options.postingsBudget / 4)
          store.prefetchTail(t, entry, signal);
        return entry;
      }),
    );
    let idfSum = 0;
    const known: { term: string; entry: TermEntry; df: number; idf: number; whole: boolean }[] = [];
    unique.forEach((term, i) => {
      const entry = entries[i];
      const df = entry?.df ?? 0;
      const w = idf(df, n);
      idfSum += w;
      if (entry && df > 0) known.push({ term, entry, df, idf: w, whole: true });
    });
    if (known.length === 0) return [];
    // Rare terms decide a ranking most and cost least: they are read whole first.
    known.sort((a, b) => a.df - b.df);
    let budget = this.options.postingsBudget;
    for (const t of known) {
      t.whole = t.df <= budget;
      if (t.whole) budget -= t.df;
    }
    const parts = await Promise.all(
      known.map((t) => store.postings(t.term, t.entry, t.whole, signal)),
    );
    throwIfAborted(signal);
    const lists: PostingList[] = [];
    const idfs: number[] = [];
    const splits: boolean[] = [];
    parts.forEach((termLists, i) => {
      termLists.forEach((l, j) => {
        lists.push(l);
        idfs.push(known[i]?.idf ?? 0);
        splits.push(j + 1 < termLists.length);
      });
    });
    const top = this.score(lists, idfs, splits, k);
    const sims = separateScores(
      top.map((t) => t.score),
      top.map((t) => toSimilarity(t.score, idfSum)),
    );
    return top.map((t, i) => ({ doc: t.doc, bm25: t.score, similarity: sims[i] ?? 0 }));
  }

  /**
   * Every passage holding a query term is scored, in blocks of `BLOCK` consecutive passages:
   * within a block each list adds its postings' contributions to per-passage accumulators
   * (term-at-a-time, no per-passage search for the lists at it), then the touched passages are
   * ranked in ascending order. Contributions are added in list order and passages are visited
   * in order, so sums and ties come out exactly as document-at-a-time would give them, with
   * scratch memory fixed whatever the corpus size.
   */
  private score(
    lists: PostingList[],
    idfs: number[],
    splits: boolean[],
    k: number,
  ): { doc: number; score: number }[] {
    const { k1, b, titleMatchBonus } = this.parts.manifest.config.bm25;
    const avg = this.parts.manifest.stats.avgDocLength;
    const lengthFactor = (k1 * b) / avg;
    const base = k1 * (1 - b);
    const m = lists.length;
    const { sums, titleIdfs, titleHits, titleLengths, windows, touched } = this.scratch;
    // In the loops below every index is in range by construction (p < list length, slot <
    // BLOCK), so typed-array reads are cast rather than defaulted: this is a query's hot path.
    const at = new Uint32Array(m);
    // MaxScore: reach[i] bounds what lists i.. can add to a passage (each term at most its
    // weight, plus its idf of title bonus), with a margin for rounding. Once the top k are full,
    // a block's passages reached only by a suffix of lists bounded by the k-th score cannot
    // enter (they would be skipped at `s <= kth`), so those lists only add to passages the
    // lists before them touched; the suffix is still added last, in list order, so sums are
    // unchanged.
    // A term read as head and tail is two lists of disjoint passages: its bound counts once.
    const reach = new Float64Array(m + 1);
    for (let i = m - 1; i >= 0; i--) {
      const w = idfs[i] as number;
      reach[i] = splits[i]
        ? (reach[i + 1] as number)
        : (reach[i + 1] as number) + (w * (k1 + 1) + Math.max(0, titleMatchBonus) * w) * (1 + 1e-9);
    }
    const topDocs: number[] = [];
    const topScores: number[] = [];
    const topGroups: number[] = [];
    let kth = 0;
    for (;;) {
      let start = Infinity;
      for (let i = 0; i < m; i++) {
        const l = lists[i] as PostingList;
        const p = at[i] as number;
        if (p < l.docs.length && (l.docs[p] as number) < start) start = l.docs[p] as number;
      }
      if (start === Infinity) break;
      let essential = m;
      if (topDocs.length >= k) {
        essential = 0;
        while ((reach[essential] as number) >= kth) essential++;
        // No passage still to come can reach the top k.
        if (essential === 0) break;
      }
      for (let i = 0; i < m; i++) {
        const l = lists[i] as PostingList;
        const { docs, tfs, lengths } = l;
        const weight = (idfs[i] as number) * (k1 + 1);
        const termIdf = idfs[i] as number;
        let p = at[i] as number;
        for (; p < docs.length; p++) {
          const slot = (docs[p] as number) - start;
          if (slot >= BLOCK) break;
          if (i >= essential && ((touched[slot >>> 5] as number) & (1 << (slot & 31))) === 0)
            continue;
          const byte = tfs[p] as number;
          const tf = byte & TF_MASK;
          sums[slot] =
            (sums[slot] as number) +
            (weight * tf) / (tf + base + lengthFactor * (lengths[p] as number));
          touched[slot >>> 5] = (touched[slot >>> 5] as number) | (1 << (slot & 31));
          if (byte & TITLE_BIT) {
            titleHits[slot] = (titleHits[slot] as number) + 1;
            titleIdfs[slot] = (titleIdfs[slot] as number) + termIdf;
            titleLengths[slot] = l.titleLengths[p] as number;
          }
          if (byte & WINDOW_BIT) windows[slot] = l.windows[p] as number;
        }
        at[i] = p;
      }
      for (let w = 0; w < WORDS; w++) {
        let bits = touched[w] as number;
        if (bits === 0) continue;
        touched[w] = 0;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const slot = (w << 5) + 31 - Math.clz32(low);
          let s = sums[slot] as number;
          const hits = titleHits[slot] as number;
          // Multi-hop questions name their entities: a passage about exactly such an entity.
          if (hits > 0 && hits === titleLengths[slot])
            s += titleMatchBonus * (titleIdfs[slot] as number);
          const window = windows[slot] as number;
          sums[slot] = 0;
          titleHits[slot] = 0;
          titleIdfs[slot] = 0;
          titleLengths[slot] = 0;
          windows[slot] = 0;
          if (s <= 0 || (topDocs.length >= k && s <= kth)) continue;
          const doc = start + slot;
          // Windows of one paragraph are one document: only its best window is returned.
          const group = doc - window;
          const same = topGroups.indexOf(group);
          if (same >= 0) {
            if (s <= (topScores[same] ?? 0)) continue;
            topDocs.splice(same, 1);
            topScores.splice(same, 1);
            topGroups.splice(same, 1);
          }
          let pos = topDocs.length;
          while (pos > 0 && s > (topScores[pos - 1] ?? 0)) pos--;
          topDocs.splice(pos, 0, doc);
          topScores.splice(pos, 0, s);
          topGroups.splice(pos, 0, group);
          if (topDocs.length > k) {
            topDocs.pop();
            topScores.pop();
            topGroups.pop();
          }
          kth = topDocs.length >= k ? (topScores[k - 1] ?? 0) : 0;
        }
      }
    }
    return topDocs.map((doc, i) => ({ doc, score: topScores[i] ?? 0 }));
  }

  /** The stored passage (id, title, text) of a ranked hit. */
  passage(doc: number, signal?: AbortSignal): Promise<StoredPassage> {
    return this.parts.passages.get(doc, signal);
  }

  /**
   * The ranking web_search returns: the first pass, then (feedback on) its best passage's names
   * as a second hop. Similarities decrease down the list and differ at two decimals.
   */
  async retrieve(query: string, k: number, signal?: AbortSignal): Promise<ScoredDoc[]> {
    const first = await this.rank(query, k, signal);
    const best = first[0];
    if (!this.options.feedback || !best || k <= FEEDBACK_KEEP) return first;
    const [, title, text] = await this.parts.passages.get(best.doc, signal);
    const known = new Set([...tokenize(query), ...tokenize(title)]);
    const names = mentionedNames(text, known);
    if (names.length === 0) return first;
    const second = await this.rank(`${query} ${names.join(' ')}`, k + FEEDBACK_KEEP, signal);
    const out = first.slice(0, FEEDBACK_KEEP);
    const taken = new Set(out.map((h) => h.doc));
    for (const hit of [...second, ...first]) {
      if (out.length >= k) break;
      if (taken.has(hit.doc)) continue;
      taken.add(hit.doc);
      // A second-hop hit scored against a longer query: it ranks, and prints, below the kept ones.
      const above = out[out.length - 1]?.similarity ?? 1;
      out.push({ ...hit, similarity: Math.min(hit.similarity, above) });
    }
    const sims = separateScores(
      out.map((_, i) => -i),
      out.map((h) => h.similarity),
    );
    return out.map((h, i) => ({ ...h, similarity: sims[i] ?? 0 }));
  }

  async search(query: string, k: number, signal?: AbortSignal): Promise<Passage[]> {
    throwIfAborted(signal);
    const hits = await this.retrieve(query, k, signal);
    return Promise.all(
      hits.map(async (hit) => {
        const [id, title, text] = await this.parts.passages.get(hit.doc, signal);
        return { id, title, text, contents: toContents(title, text), score: hit.similarity };
      }),
    );
  }
}
