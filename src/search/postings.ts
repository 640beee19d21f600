import { ByteReader, ByteWriter } from './bytes.ts';

/**
 * One term's postings, ascending by passage: what BM25 with title features needs about each
 * passage holding the term, so a query never touches per-passage tables of the whole corpus.
 */
export interface PostingList {
  docs: Uint32Array;
  /**
   * Bit 7: the term is in the title; bit 6: the passage is a later window of a paragraph cut
   * into several; bits 0-5: weighted term frequency, capped at 63 (BM25 has long saturated).
   */
  tfs: Uint8Array;
  /** Weighted passage length (title terms count titleWeight times). */
  lengths: Uint32Array;
  /** Distinct terms in the passage's title (capped at 255); kept only where the title bit is set. */
  titleLengths: Uint8Array;
  /** For windows (bit 6): how many passages after its paragraph's first window it is. */
  windows: Uint32Array;
}

export const TITLE_BIT = 0x80;
export const WINDOW_BIT = 0x40;
export const TF_MASK = 0x3f;

export function emptyPostings(n: number): PostingList {
  return {
    docs: new Uint32Array(n),
    tfs: new Uint8Array(n),
    lengths: new Uint32Array(n),
    titleLengths: new Uint8Array(n),
    windows: new Uint32Array(n),
  };
}

/**
 * A block: count, then per posting the passage delta, the tf byte, the length, (title terms
 * only) the title length and (later windows only) the window offset, all varints but the bytes. `order` picks and orders the postings
 * written (ascending passages); all of them without it.
 */
export function encodePostings(p: PostingList, out: ByteWriter, order?: ArrayLike<number>): void {
  const n = order ? order.length : p.docs.length;
  out.varint(n);
  let prev = 0;
  for (let j = 0; j < n; j++) {
    const i = order ? (order[j] ?? 0) : j;
    const doc = p.docs[i] ?? 0;
    const tf = p.tfs[i] ?? 0;
    out.varint(doc - prev);
    prev = doc;
    out.byte(tf);
    out.varint(p.lengths[i] ?? 0);
    if (tf & TITLE_BIT) out.byte(p.titleLengths[i] ?? 0);
    if (tf & WINDOW_BIT) out.varint(p.windows[i] ?? 0);
  }
}

export function decodePostings(bytes: Uint8Array): PostingList {
  const r = new ByteReader(bytes);
  const n = r.varint();
  if (n > bytes.length) throw new RangeError('posting count exceeds the block');
  const p = emptyPostings(n);
  let doc = 0;
  for (let i = 0; i < n; i++) {
    doc += r.varint();
    p.docs[i] = doc;
    const tf = r.byte();
    p.tfs[i] = tf;
    p.lengths[i] = r.varint();
    if (tf & TITLE_BIT) p.titleLengths[i] = r.byte();
    if (tf & WINDOW_BIT) p.windows[i] = r.varint();
  }
  if (!r.done) throw new RangeError('trailing bytes after the postings');
  return p;
}

/** Concatenates lists whose passages follow one another (runs of a build, in order). */
export function concatPostings(lists: readonly PostingList[]): PostingList {
  if (lists.length === 1 && lists[0]) return lists[0];
  const out = emptyPostings(lists.reduce((s, l) => s + l.docs.length, 0));
  let at = 0;
  for (const l of lists) {
    out.docs.set(l.docs, at);
    out.tfs.set(l.tfs, at);
    out.lengths.set(l.lengths, at);
    out.titleLengths.set(l.titleLengths, at);
    out.windows.set(l.windows, at);
    at += l.docs.length;
  }
  return out;
}

/** Merges two ascending, disjoint lists (a term's head and tail) into one ascending list. */
export function mergePostings(a: PostingList, b: PostingList): PostingList {
  const n = a.docs.length + b.docs.length;
  const out = emptyPostings(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const takeA = j >= b.docs.length || (i < a.docs.length && (a.docs[i] ?? 0) < (b.docs[j] ?? 0));
    const src = takeA ? a : b;
    const at = takeA ? i++ : j++;
    out.docs[k] = src.docs[at] ?? 0;
    out.tfs[k] = src.tfs[at] ?? 0;
    out.lengths[k] = src.lengths[at] ?? 0;
    out.titleLengths[k] = src.titleLengths[at] ?? 0;
    out.windows[k] = src.windows[at] ?? 0;
  }
  return out;
}
