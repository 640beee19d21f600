/**
 * Per-passage term frequencies: FlexSearch only says which passages contain a term, BM25 also
 * needs how often and how long the passage is. Each passage's term ids are stored sorted so a
 * lookup is a binary search.
 */
export interface ForwardIndex {
  docCount: number;
  /** Entries of passage d are [offsets[d], offsets[d + 1]). */
  offsets: Uint32Array;
  /** Weighted length (title terms count titleWeight times). */
  docLengths: Uint32Array;
  termIds: Uint32Array;
  /** Bit 7: the term is in the title; bits 0-6: weighted term frequency, capped at 127. */
  tfs: Uint8Array;
  /** Distinct terms in each passage's title, capped at 255. */
  titleLengths: Uint8Array;
}

export const TITLE_BIT = 0x80;
export const TF_MASK = 0x7f;

const MAGIC = 0x46504153; // "SAPF" little-endian
const VERSION = 1;
const HEADER_BYTES = 16;

/** The packed tf byte (see ForwardIndex.tfs), 0 when the passage lacks the term. */
export function termEntry(f: ForwardIndex, doc: number, termId: number): number {
  let lo = f.offsets[doc] ?? 0;
  let hi = (f.offsets[doc + 1] ?? lo) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = f.termIds[mid] ?? 0;
    if (t === termId) return f.tfs[mid] ?? 0;
    if (t < termId) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

class GrowableU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

class GrowableU8 {
  data = new Uint8Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

export class ForwardIndexBuilder {
  private readonly offsets = new GrowableU32();
  private readonly lengths = new GrowableU32();
  private readonly termIds = new GrowableU32();
  private readonly tfs = new GrowableU8();
  private readonly titleLengths = new GrowableU8();

  constructor() {
    this.offsets.push(0);
  }

  /** Adds the next passage from its term id -> weighted frequency map and its title's terms. */
  add(counts: Map<number, number>, titleTerms: ReadonlySet<number>): void {
    const ids = [...counts.keys()].sort((a, b) => a - b);
    let length = 0;
    for (const id of ids) {
      const tf = counts.get(id) ?? 0;
      length += tf;
      this.termIds.push(id);
      this.tfs.push(Math.min(tf, TF_MASK) | (titleTerms.has(id) ? TITLE_BIT : 0));
    }
    this.lengths.push(length);
    this.titleLengths.push(Math.min(titleTerms.size, 255));
    this.offsets.push(this.termIds.length);
  }

  get docCount(): number {
    return this.lengths.length;
  }

  get totalLength(): number {
    let sum = 0;
    for (const l of this.lengths.view()) sum += l;
    return sum;
  }

  build(): ForwardIndex {
    return {
      docCount: this.lengths.length,
      offsets: this.offsets.view(),
      docLengths: this.lengths.view(),
      termIds: this.termIds.view(),
      tfs: this.tfs.view(),
      titleLengths: this.titleLengths.view(),
    };
  }
}

// The arrays are written in host byte order, which is little-endian on every platform a browser
// or Node runs on here; the header is explicitly little-endian so a foreign file is detected.
export function encodeForwardIndex(f: ForwardIndex): Uint8Array {
  const n = f.docCount;
  const t = f.termIds.length;
  const bytes = new Uint8Array(HEADER_BYTES + 4 * (n + 1) + 4 * n + 4 * t + t + n);
  const header = new DataView(bytes.buffer);
  header.setUint32(0, MAGIC, true);
  header.setUint32(4, VERSION, true);
  header.setUint32(8, n, true);
  header.setUint32(12, t, true);
  let at = HEADER_BYTES;
  for (const part of [f.offsets, f.docLengths, f.termIds]) {
    new Uint32Array(bytes.buffer, at, part.length).set(part);
    at += 4 * part.length;
  }
  bytes.set(f.tfs, at);
  bytes.set(f.titleLengths, at + t);
  return bytes;
}

/** Returns undefined when the bytes are not a consistent forward index. */
export function decodeForwardIndex(bytes: Uint8Array): ForwardIndex | undefined {
  if (bytes.byteLength < HEADER_BYTES) return undefined;
  // Typed-array views need 4-byte alignment; Node's pooled buffers may not have it.
  const buf =
    bytes.byteOffset % 4 === 0
      ? bytes
      : new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const header = new DataView(buf.buffer, buf.byteOffset, HEADER_BYTES);
  if (header.getUint32(0, true) !== MAGIC || header.getUint32(4, true) !== VERSION)
    return undefined;
  const n = header.getUint32(8, true);
  const t = header.getUint32(12, true);
  if (buf.byteLength !== HEADER_BYTES + 4 * (n + 1) + 4 * n + 4 * t + t + n) return undefined;
  let at = buf.byteOffset + HEADER_BYTES;
  const offsets = new Uint32Array(buf.buffer, at, n + 1);
  at += 4 * (n + 1);
  const docLengths = new Uint32Array(buf.buffer, at, n);
  at += 4 * n;
  const termIds = new Uint32Array(buf.buffer, at, t);
  at += 4 * t;
  const tfs = new Uint8Array(buf.buffer, at, t);
  const titleLengths = new Uint8Array(buf.buffer, at + t, n);
  if (offsets[n] !== t) return undefined;
  return { docCount: n, offsets, docLengths, termIds, tfs, titleLengths };
}
