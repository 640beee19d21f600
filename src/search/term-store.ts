import { cachedLoad, LruCache, type CheckedFiles } from './checked-files.ts';
import {
  decodeTermShard,
  shardFor,
  type Directory,
  type ShardFile,
  type TermEntry,
} from './index-layout.ts';
import { decodePostings, mergePostings, type PostingList } from './postings.ts';

export interface TermStoreLimits {
  /** Raw bytes of term shards and tail packs kept (default 24 MB). */
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
  private readonly shards: LruCache<Promise<Map<string, TermEntry>>>;
  private readonly decoded: LruCache<PostingList>;

  constructor(
    private readonly checked: CheckedFiles,
    private readonly directory: Directory,
    limits: TermStoreLimits = {},
  ) {
    const bytes = limits.cachedBytes ?? 24e6;
    this.files = new LruCache(bytes / 2);
    this.shards = new LruCache(bytes / 2);
    this.decoded = new LruCache(limits.cachedPostings ?? 1e6);
  }

  private file(f: ShardFile, signal?: AbortSignal): Promise<Uint8Array> {
    return cachedLoad(this.files, f.name, f.bytes, () => this.checked.read(f, signal));
  }

  /** The term's entry, or undefined when the corpus lacks it. */
  async lookup(term: string, signal?: AbortSignal): Promise<TermEntry | undefined> {
    const i = shardFor(this.directory.termShards, term);
    const f = this.directory.termShards[i];
    if (!f) return undefined;
    const entries = await cachedLoad(this.shards, f.name, f.bytes, async () => {
      const bytes = await this.checked.read(f, signal);
      try {
        return decodeTermShard(bytes);
      } catch (err) {
        throw this.checked.error('index_corrupt', f.name, 'is not a valid term shard', err);
      }
    });
    return entries.get(term);
  }

  /** The term's postings: the head only, or (`whole`) the full list, ascending by passage. */
  async postings(
    term: string,
    entry: TermEntry,
    whole: boolean,
    signal?: AbortSignal,
  ): Promise<PostingList> {
    const full = whole && entry.tail !== undefined;
    const key = `${full ? 'full' : 'head'}\u0000${term}`;
    const hit = this.decoded.get(key);
    if (hit) return hit;
    let list = this.decode(entry.head, term, 'term shard');
    if (full && entry.tail) {
      const ref = entry.tail;
      const packFile = this.directory.tailPacks[ref.pack];
      if (!packFile) {
        throw this.checked.error(
          'index_corrupt',
          'directory.bin',
          `lists no tail pack ${ref.pack}`,
        );
      }
      const pack = await this.file(packFile, signal);
      if (ref.offset + ref.bytes > pack.length) {
        throw this.checked.error(
          'index_corrupt',
          packFile.name,
          `is too short for the postings of "${term}"`,
        );
      }
      const tail = this.decode(
        pack.subarray(ref.offset, ref.offset + ref.bytes),
        term,
        packFile.name,
      );
      list = mergePostings(list, tail);
    }
    if (list.docs.length !== (full || !entry.tail ? entry.df : list.docs.length)) {
      throw this.checked.error(
        'index_corrupt',
        'term shard',
        `holds ${list.docs.length} postings for "${term}", its df is ${entry.df}`,
      );
    }
    this.decoded.set(key, list, list.docs.length);
    return list;
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
