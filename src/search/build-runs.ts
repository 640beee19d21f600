import { ByteWriter, decodeUtf8, encodeUtf8 } from './bytes.ts';
import { concatPostings, decodePostings, encodePostings, type PostingList } from './postings.ts';

/** One term's postings within a run, still encoded. */
export interface RunEntry {
  term: string;
  block: Uint8Array;
}

class Growable<T extends Uint8Array | Uint32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

const u32 = (n: number) => new Uint32Array(n);
const u8 = (n: number) => new Uint8Array(n);

/**
 * The postings of the passages added since the last spill, as flat typed arrays (18 bytes a
 * posting) plus a run-local vocabulary: the builder spills it as a sorted run once it holds
 * `limit` postings, so build memory stays bounded whatever the corpus size.
 */
export class RunBuffer {
  private vocabulary = new Map<string, number>();
  private terms = new Growable(u32(1 << 16), u32);
  private docs = new Growable(u32(1 << 16), u32);
  private tfs = new Growable(u8(1 << 16), u8);
  private lengths = new Growable(u32(1 << 16), u32);
  private titleLengths = new Growable(u8(1 << 16), u8);
  private windows = new Growable(u32(1 << 16), u32);

  get postings(): number {
    return this.docs.length;
  }

  add(
    term: string,
    doc: number,
    tf: number,
    length: number,
    titleLength: number,
    window: number,
  ): void {
    let id = this.vocabulary.get(term);
    if (id === undefined) {
      id = this.vocabulary.size;
      this.vocabulary.set(term, id);
    }
    this.terms.push(id);
    this.docs.push(doc);
    this.tfs.push(tf);
    this.lengths.push(length);
    this.titleLengths.push(titleLength);
    this.windows.push(window);
  }

  /** The run sorted by term (JavaScript string order), each term's postings ascending. */
  *entries(): Generator<RunEntry> {
    const vocab = [...this.vocabulary.keys()];
    const counts = new Uint32Array(vocab.length + 1);
    const termIds = this.terms.data;
    const n = this.docs.length;
    for (let i = 0; i < n; i++) {
      const t = (termIds[i] ?? 0) + 1;
      counts[t] = (counts[t] ?? 0) + 1;
    }
    for (let t = 0; t < vocab.length; t++) counts[t + 1] = (counts[t + 1] ?? 0) + (counts[t] ?? 0);
    const starts = counts.slice();
    // Counting sort keeps each term's postings in the order added: ascending passages.
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const t = termIds[i] ?? 0;
      order[starts[t] ?? 0] = i;
      starts[t] = (starts[t] ?? 0) + 1;
    }
    const sorted = vocab.map((term, id) => ({ term, id })).sort((a, b) => cmp(a.term, b.term));
    const all: PostingList = {
      docs: this.docs.data,
      tfs: this.tfs.data,
      lengths: this.lengths.data,
      titleLengths: this.titleLengths.data,
      windows: this.windows.data,
    };
    const w = new ByteWriter(1 << 12);
    for (const { term, id } of sorted) {
      w.reset();
      encodePostings(all, w, order.subarray(counts[id] ?? 0, counts[id + 1] ?? 0));
      yield { term, block: w.view().slice() };
    }
  }

  /** The run as bytes: per term a varint-prefixed term and a varint-prefixed block. */
  encode(): Uint8Array {
    const out = new ByteWriter(1 << 20);
    for (const { term, block } of this.entries()) {
      const t = encodeUtf8(term);
      out.varint(t.length);
      out.bytes(t);
      out.varint(block.length);
      out.bytes(block);
    }
    return out.view();
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses a spilled run as it streams from disk, one entry at a time. */
export async function* readRun(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<RunEntry> {
  const it = chunks[Symbol.asyncIterator]();
  let buf = new Uint8Array(0);
  let pos = 0;
  let ended = false;
  const need = async (n: number): Promise<boolean> => {
    while (buf.length - pos < n && !ended) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        break;
      }
      const rest = buf.subarray(pos);
      const merged = new Uint8Array(rest.length + next.value.length);
      merged.set(rest);
      merged.set(next.value, rest.length);
      buf = merged;
      pos = 0;
    }
    return buf.length - pos >= n;
  };
  const varint = async (): Promise<number | undefined> => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (!(await need(1))) {
        if (scale === 1) return undefined;
        throw new RangeError('a spilled run ends inside a varint');
      }
      const b = buf[pos++] ?? 0;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  };
  const take = async (n: number): Promise<Uint8Array> => {
    if (!(await need(n))) throw new RangeError('a spilled run ends early');
    const out = buf.slice(pos, pos + n);
    pos += n;
    return out;
  };
  for (;;) {
    const termLength = await varint();
    if (termLength === undefined) return;
    const term = decodeUtf8(await take(termLength));
    const blockLength = await varint();
    if (blockLength === undefined) throw new RangeError('a spilled run ends after a term');
    yield { term, block: await take(blockLength) };
  }
}

/**
 * Merges runs (in build order, so passages ascend across them) into one stream of whole terms
 * in string order.
 */
export async function* mergeRuns(
  runs: readonly AsyncIterator<RunEntry>[],
): AsyncGenerator<{ term: string; postings: PostingList }> {
  const heads: (RunEntry | undefined)[] = await Promise.all(
    runs.map(async (r) => {
      const n = await r.next();
      return n.done ? undefined : n.value;
    }),
  );
  for (;;) {
    let min: string | undefined;
    for (const h of heads) if (h && (min === undefined || h.term < min)) min = h.term;
    if (min === undefined) return;
    const parts: PostingList[] = [];
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (!h || h.term !== min) continue;
      parts.push(decodePostings(h.block));
      const n = await runs[i]?.next();
      heads[i] = !n || n.done ? undefined : n.value;
    }
    yield { term: min, postings: concatPostings(parts) };
  }
}
