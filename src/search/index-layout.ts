import { ByteReader, ByteWriter, decodeUtf8, encodeUtf8 } from './bytes.ts';

/**
 * The sharded index's binary files (format version 2): term shards, tail packs, passage shards,
 * and the directory that lists each with its size and sha256. See docs/search-index.md.
 */
// No file ends in .gz although two kinds are gzip: static servers (Vite's sirv among them) send
// .gz files with Content-Encoding: gzip, so the browser would unpack them and the sizes and
// checksums would no longer match.
export const DIRECTORY_FILE = 'directory.bin';

export function termShardName(i: number): string {
  return `terms-${String(i).padStart(6, '0')}.bin`;
}
export function tailPackName(i: number): string {
  return `tails-${String(i).padStart(6, '0')}.bin`;
}
export function passageShardName(i: number): string {
  return `passages-${String(i).padStart(6, '0')}.bin`;
}

/** A file the directory lists: its size and sha256 (hex). */
export interface ShardFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface TermShardFile extends ShardFile {
  /** The shard holds the terms from this one (string order) up to the next shard's first. */
  firstTerm: string;
}

export interface Directory {
  termShards: TermShardFile[];
  tailPacks: ShardFile[];
  passageShards: ShardFile[];
}

const DIRECTORY_MAGIC = 0x44504153; // "SAPD"
const TERMS_MAGIC = 0x54504153; // "SAPT"
const LAYOUT_VERSION = 2;

function writeHex(w: ByteWriter, hex: string): void {
  for (let i = 0; i < 64; i += 2) w.byte(parseInt(hex.slice(i, i + 2), 16));
}

function writeU32(w: ByteWriter, v: number): void {
  for (let i = 0; i < 4; i++) w.byte((v >>> (8 * i)) & 0xff);
}

function readU32(r: ByteReader): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v += r.byte() * 2 ** (8 * i);
  return v;
}

export function encodeDirectory(d: Directory): Uint8Array {
  const w = new ByteWriter(1 << 16);
  writeU32(w, DIRECTORY_MAGIC);
  w.varint(LAYOUT_VERSION);
  w.varint(d.termShards.length);
  for (const f of d.termShards) {
    const t = encodeUtf8(f.firstTerm);
    w.varint(t.length);
    w.bytes(t);
    w.varint(f.bytes);
    writeHex(w, f.sha256);
  }
  for (const list of [d.tailPacks, d.passageShards]) {
    w.varint(list.length);
    for (const f of list) {
      w.varint(f.bytes);
      writeHex(w, f.sha256);
    }
  }
  return w.view();
}

const HEX_DIGITS = encodeUtf8('0123456789abcdef');

/**
 * Throws RangeError when the bytes are not a directory (the caller names the file). Opening an
 * index waits on this: at 5M passages it lists ~23k files, so their sha256s are turned into
 * hex all at once (one decode, then a slice per file) rather than a byte at a time.
 */
export function decodeDirectory(bytes: Uint8Array): Directory {
  const r = new ByteReader(bytes);
  if (readU32(r) !== DIRECTORY_MAGIC || r.varint() !== LAYOUT_VERSION)
    throw new RangeError('not a version 2 directory');
  const sums: number[] = [];
  const readSum = () => {
    sums.push(r.pos);
    r.bytes(32);
    return '';
  };
  const termShards: TermShardFile[] = [];
  const nTerms = r.varint();
  for (let i = 0; i < nTerms; i++) {
    const firstTerm = decodeUtf8(r.bytes(r.varint()));
    const size = r.varint();
    termShards.push({ name: termShardName(i), firstTerm, bytes: size, sha256: readSum() });
  }
  const lists: ShardFile[][] = [];
  for (const name of [tailPackName, passageShardName]) {
    const list: ShardFile[] = [];
    const n = r.varint();
    for (let i = 0; i < n; i++) {
      const size = r.varint();
      list.push({ name: name(i), bytes: size, sha256: readSum() });
    }
    lists.push(list);
  }
  if (!r.done) throw new RangeError('trailing bytes');
  const ascii = new Uint8Array(sums.length * 64);
  sums.forEach((at, j) => {
    for (let b = 0; b < 32; b++) {
      const v = bytes[at + b] as number;
      ascii[j * 64 + 2 * b] = HEX_DIGITS[v >>> 4] as number;
      ascii[j * 64 + 2 * b + 1] = HEX_DIGITS[v & 15] as number;
    }
  });
  const hex = decodeUtf8(ascii);
  let j = 0;
  for (const f of [...termShards, ...(lists[0] ?? []), ...(lists[1] ?? [])])
    f.sha256 = hex.slice(64 * j, 64 * ++j);
  return { termShards, tailPacks: lists[0] ?? [], passageShards: lists[1] ?? [] };
}

/** Where a term's postings beyond its head live. */
export interface TailRef {
  pack: number;
  offset: number;
  bytes: number;
}

export interface TermEntry {
  df: number;
  /** The encoded head block: the whole list, or its highest-impact postings when a tail exists. */
  head: Uint8Array;
  tail?: TailRef;
}

/** Accumulates one term shard: entries in string order, each with its head block inline. */
export class TermShardWriter {
  private readonly w = new ByteWriter(1 << 17);
  firstTerm: string | undefined;

  constructor() {
    writeU32(this.w, TERMS_MAGIC);
  }

  get bytes(): number {
    return this.w.length;
  }

  add(term: string, df: number, head: Uint8Array, tail?: TailRef): void {
    this.firstTerm ??= term;
    const t = encodeUtf8(term);
    this.w.varint(t.length);
    this.w.bytes(t);
    this.w.varint(df);
    this.w.varint(head.length);
    this.w.bytes(head);
    if (tail) {
      this.w.varint(tail.pack + 1);
      this.w.varint(tail.offset);
      this.w.varint(tail.bytes);
    } else {
      this.w.varint(0);
    }
  }

  finish(): Uint8Array {
    return this.w.view().slice();
  }
}

/**
 * The entry of one term (UTF-8 bytes) in a term shard, found by scanning: a lookup needs one
 * entry of ~1,000, and decoding them all (a string and an object each) cost more than the scan.
 * Throws RangeError when the bytes are not a term shard.
 */
export function findInTermShard(bytes: Uint8Array, term: Uint8Array): TermEntry | undefined {
  const r = new ByteReader(bytes);
  if (readU32(r) !== TERMS_MAGIC) throw new RangeError('not a term shard');
  while (!r.done) {
    const length = r.varint();
    const at = r.pos;
    r.bytes(length);
    let same = length === term.length;
    for (let i = 0; same && i < length; i++) same = bytes[at + i] === term[i];
    const df = r.varint();
    const head = r.bytes(r.varint());
    const pack = r.varint();
    const tail = pack > 0 ? { pack: pack - 1, offset: r.varint(), bytes: r.varint() } : undefined;
    if (same) return tail ? { df, head, tail } : { df, head };
  }
  return undefined;
}

/** The shard that would hold `term`: the last whose first term is not after it. */
export function shardFor(shards: readonly TermShardFile[], term: string): number {
  let lo = 0;
  let hi = shards.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((shards[mid]?.firstTerm ?? '') <= term) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
