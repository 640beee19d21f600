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
  /**
   * Distinct terms in the passage's title (capped at 255); read only where the title bit is set
   * (a decoded list without title postings holds an empty array).
   */
  titleLengths: Uint8Array;
  /**
   * For windows (bit 6): how many passages after its paragraph's first window it is; read only
   * where the bit is set (empty when no posting of a decoded list has it).
   */
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

const NO_BYTES = new Uint8Array(0);
const NO_WINDOWS = new Uint32Array(0);

/** Where readVarint stopped: module state, so the hot loop below needs no closure or object. */
let cursor = 0;

/** The varint at `pos` (its first byte, `first`, already read); leaves `cursor` after it. */
function readVarint(bytes: Uint8Array, pos: number, first: number): number {
  let result = first & 0x7f;
  let scale = 0x80;
  for (;;) {
    // Past the end a byte reads as undefined: neither branch below holds.
    const b = bytes[pos++] as number;
    if (b < 0x80) {
      cursor = pos;
      return result + b * scale;
    }
    if (!(b >= 0x80) || scale > 2 ** 49) throw new RangeError('bad varint in postings');
    result += (b & 0x7f) * scale;
    scale *= 0x80;
  }
}

/**
 * Decodes a block. Queries decode up to 100k postings a list, so one-byte varints are read
 * inline, and the title-length and window arrays exist only when a posting needs them (most
 * lists have neither): less to allocate, collect and cache.
 */
export function decodePostings(bytes: Uint8Array): PostingList {
  const end = bytes.length;
  let pos = 0;
  let b = bytes[pos++] as number;
  let n = b;
  if (!(b < 0x80)) {
    n = readVarint(bytes, pos, b);
    pos = cursor;
  }
  if (!(n <= end)) throw new RangeError('posting count exceeds the block');
  const docs = new Uint32Array(n);
  const tfs = new Uint8Array(n);
  const lengths = new Uint32Array(n);
  let titleLengths = NO_BYTES;
  let windows = NO_WINDOWS;
  let doc = 0;
  for (let i = 0; i < n; i++) {
    if (pos >= end) throw new RangeError('postings past the end of the block');
    b = bytes[pos++] as number;
    if (b < 0x80) doc += b;
    else {
      doc += readVarint(bytes, pos, b);
      pos = cursor;
    }
    docs[i] = doc;
    const tf = bytes[pos++] as number;
    tfs[i] = tf;
    b = bytes[pos++] as number;
    if (b < 0x80) lengths[i] = b;
    else {
      lengths[i] = readVarint(bytes, pos, b);
      pos = cursor;
    }
    if (tf & TITLE_BIT) {
      if (titleLengths.length === 0) titleLengths = new Uint8Array(n);
      titleLengths[i] = bytes[pos++] as number;
    }
    if (tf & WINDOW_BIT) {
      if (windows.length === 0) windows = new Uint32Array(n);
      b = bytes[pos++] as number;
      if (b < 0x80) windows[i] = b;
      else {
        windows[i] = readVarint(bytes, pos, b);
        pos = cursor;
      }
    }
  }
  // A one-byte read past the end (undefined) stored 0 and moved pos beyond it.
  if (pos > end) throw new RangeError('postings past the end of the block');
  if (pos < end) throw new RangeError('trailing bytes after the postings');
  return { docs, tfs, lengths, titleLengths, windows };
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
