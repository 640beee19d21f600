import { ByteWriter } from './bytes.ts';

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

/**
 * Decodes a block. Every query decodes up to 100k postings a list, so the varints are read
 * inline rather than through ByteReader; bounds are checked once per posting.
 */
export function decodePostings(bytes: Uint8Array): PostingList {
  const end = bytes.length;
  let pos = 0;
  // A varint at `pos`; past the end it reads as NaN (undefined bytes), caught below.
  const varint = (): number => {
    let b = bytes[pos++] as number;
    if (b < 0x80) return b;
    let result = b & 0x7f;
    let scale = 0x80;
    for (;;) {
      b = bytes[pos++] as number;
      if (!(b < 0x80)) {
        if (!(b >= 0x80) || scale > 2 ** 49) throw new RangeError('bad varint in postings');
        result += (b & 0x7f) * scale;
        scale *= 0x80;
        continue;
      }
      return result + b * scale;
    }
  };
  const n = varint();
  if (!(n <= end)) throw new RangeError('posting count exceeds the block');
  const p = emptyPostings(n);
  const { docs, tfs, lengths, titleLengths, windows } = p;
  let doc = 0;
  for (let i = 0; i < n; i++) {
    if (pos >= end) throw new RangeError('postings past the end of the block');
    doc += varint();
    docs[i] = doc;
    const tf = bytes[pos++] as number;
    tfs[i] = tf;
    lengths[i] = varint();
    if (tf & TITLE_BIT) titleLengths[i] = bytes[pos++] as number;
    if (tf & WINDOW_BIT) windows[i] = varint();
  }
  if (pos > end) throw new RangeError('postings past the end of the block');
  if (pos < end) throw new RangeError('trailing bytes after the postings');
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
