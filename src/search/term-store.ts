import { cachedLoad, LruCache, type CheckedFiles } from './checked-files.ts';
import { encodeUtf8 } from './bytes.ts';
import {
  findInTermShard,
  shardFor,
  type Directory,
  type ShardFile,
  type TailRef,
  type TermEntry,
} from './index-layout.ts';
import { decodePostings, type PostingList } from './postings.ts';

export interface TermStoreLimits {
  /** Bytes of term shards, tail packs, looked-up terms and encoded tails kept (default 48 MB). */
  cachedBytes?: number;
  /** Decoded postings kept (default 1M, about 18 MB). */
  cachedPostings?: number;
}

/**
 * The term half of the sharded index: a term's statistics and postings are fetched with the
 * term shard (and, for common terms, the tail pack) that holds them, on first use, and kept in
 * bounded caches, so memory follows the queries asked, not the corpus.
 */
export class TermStore {
  private readonly files: LruCache<Promise<Uint8Array>>;
  private readonly decoded: LruCache<PostingList>;
  /**
   * Terms looked up before (null: not in the corpus), bounded by their head bytes: at 1M
   * passages a shard holds ~850 terms, so re-reading, hashing and scanning one for each term of
   * a repeated query cost more than the query's scoring.
   */
  private readonly entries: LruCache<TermEntry | null>;
  /**
   * Encoded tails of common terms, 3-4 bytes a posting against 9-14 decoded: 100 varied
   * questions at 1M passages read ~7M tail postings, which fit here and not in the decoded
   * cache, and decoding one costs far less than re-reading and re-hashing its pack.
   */
  private readonly tailBlocks: LruCache<Uint8Array>;

  constructor(
    private readonly checked: CheckedFiles,
    private readonly directory: Directory,
    limits: TermStoreLimits = {},
  ) {
    const bytes = limits.cachedBytes ?? 48e6;
    // Whole files matter only within a query (terms sharing a shard or a pack); what a
    // repeated query needs is held per term, in `entries` and `tailBlocks`.
    this.files = new LruCache(bytes / 6);
    this.entries = new LruCache(bytes / 6);
    this.tailBlocks = new LruCache((bytes * 2) / 3);
    this.decoded = new LruCache(limits.cachedPostings ?? 1e6);
  }

  private file(f: ShardFile, signal?: AbortSignal): Promise<Uint8Array> {
    return cachedLoad(this.files, f.name, f.bytes, () => this.checked.read(f, signal));
  }

  /** The term's entry, or undefined when the corpus lacks it. */
  async lookup(term: string, signal?: AbortSignal): Promise<TermEntry | undefined> {
    const known = this.entries.get(term);
    if (known !== undefined) return known ?? undefined;
    const found = await this.lookupInShard(term, signal);
    // A copy of the head, so the entry does not keep its whole shard in memory (not slice():
    // on a Node Buffer that is a view).
    const entry = found && { ...found, head: new Uint8Array(found.head) };
    this.entries.set(term, entry ?? null, 64 + term.length + (entry?.head.length ?? 0));
    return entry;
  }

  private async lookupInShard(term: string, signal?: AbortSignal): Promise<TermEntry | undefined> {
    const f = this.directory.termShards[shardFor(this.directory.termShards, term)];
    if (!f) return undefined;
    const bytes = await this.file(f, signal);
    try {
      return findInTermShard(bytes, encodeUtf8(term));
    } catch (err) {
      throw this.checked.error('index_corrupt', f.name, 'is not a valid term shard', err);
    }
  }

  /**
   * The term's postings as one or two lists, each ascending by passage: its head, then (`whole`
   * and the term has one) its tail. Head and tail hold disjoint passages, so a scorer adding them
   * one after the other gets the sums one merged list would give, without the merge; and a head
   * read alone and a head read with its tail are the same cached list.
   */
  async postings(
    term: string,
    entry: TermEntry,
    whole: boolean,
    signal?: AbortSignal,
  ): Promise<PostingList[]> {
    const head = this.cachedDecode(`h\u0000${term}`, () =>
      this.decode(entry.head, term, 'term shard'),
    );
    const ref = entry.tail;
    if (!ref) {
      if (head.docs.length !== entry.df) throw this.countError(term, head.docs.length, entry.df);
      return [head];
    }
    if (!whole) return [head];
    const tailKey = `t\u0000${term}`;
    let tail = this.decoded.get(tailKey);
    if (!tail) {
      const packFile = this.directory.tailPacks[ref.pack];
      if (!packFile) {
        throw this.checked.error(
          'index_corrupt',
          'directory.bin',
          `lists no tail pack ${ref.pack}`,
        );
      }
      const bytes = await this.tailBlock(term, ref, packFile, signal);
      tail = this.cachedDecode(tailKey, () => this.decode(bytes, term, packFile.name));
    }
    const n = head.docs.length + tail.docs.length;
    if (n !== entry.df) throw this.countError(term, n, entry.df);
    return [head, tail];
  }

  /** The term's encoded tail, from the tail cache or cut (copied) from its pack. */
  private async tailBlock(
    term: string,
    ref: TailRef,
    packFile: ShardFile,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const hit = this.tailBlocks.get(term);
    if (hit) return hit;
    const pack = await this.file(packFile, signal);
    if (ref.offset + ref.bytes > pack.length) {
      throw this.checked.error(
        'index_corrupt',
        packFile.name,
        `is too short for the postings of "${term}"`,
      );
    }
    // A copy, so the cache holds this term's bytes rather than its whole pack.
    const bytes = new Uint8Array(pack.subarray(ref.offset, ref.offset + ref.bytes));
    this.tailBlocks.set(term, bytes, bytes.length);
    return bytes;
  }

  /**
   * Starts fetching the term's tail pack without waiting for it: a query that will read the
   * tail need not wait for its other terms' lookups first. A failure is left to the read that
   * needs the pack (a failed load is not cached, so that read tries again and reports it).
   */
  prefetchTail(term: string, entry: TermEntry, signal?: AbortSignal): void {
    const ref = entry.tail;
    const packFile = ref && this.directory.tailPacks[ref.pack];
    if (!packFile || this.decoded.has(`t\u0000${term}`) || this.tailBlocks.has(term)) return;
    this.file(packFile, signal).catch(() => undefined);
  }

  private cachedDecode(key: string, decode: () => PostingList): PostingList {
    const hit = this.decoded.get(key);
    if (hit) return hit;
    const list = decode();
    this.decoded.set(key, list, list.docs.length);
    return list;
  }

  private countError(term: string, n: number, df: number) {
    return this.checked.error(
      'index_corrupt',
      'term shard',
      `holds ${n} postings for "${term}", its df is ${df}`,
    );
  }

  private decode(bytes: Uint8Array, term: string, where: string): PostingList {
    try {
      return decodePostings(bytes);
    } catch (err) {
      throw this.checked.error(
        'index_corrupt',
        where,
        `holds unreadable postings for "${term}"`,
        err,
      );
    }
  }
}
