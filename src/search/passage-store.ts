import { decodeUtf8, gunzip } from './bytes.ts';
import { cachedLoad, LruCache, type CheckedFiles } from './checked-files.ts';
import type { StoredPassage } from './index-builder.ts';
import type { ShardFile } from './index-layout.ts';

/**
 * Decoded passage shards kept, bounded by their unpacked bytes (about their heap size): every
 * query reads 3-4 shards, and re-reading, hashing, unpacking and parsing a missed one cost as
 * much as ranking. 16 MB holds most of a 45k corpus.
 */
const CACHED_SHARD_BYTES = 16e6;

/**
 * Passages returned before, kept on their own (bounded by their text bytes): at 1M passages a
 * few hundred shards are in use across varied queries, more than the shard cache holds, while
 * the passages the queries return fit here many times over.
 */
const CACHED_PASSAGE_BYTES = 8e6;

/**
 * Passage texts, fetched one gzipped shard at a time on first use: a query downloads only the
 * shards that hold its results, each checked against the directory before it is trusted.
 */
export class PassageStore {
  private readonly cache = new LruCache<Promise<StoredPassage[]>>(CACHED_SHARD_BYTES);
  private readonly returned = new LruCache<StoredPassage>(CACHED_PASSAGE_BYTES);

  constructor(
    private readonly files: CheckedFiles,
    private readonly shards: readonly ShardFile[],
    private readonly perShard: number,
  ) {}

  async get(doc: number, signal?: AbortSignal): Promise<StoredPassage> {
    const key = String(doc);
    const hit = this.returned.get(key);
    if (hit) return hit;
    const shard = Math.floor(doc / this.perShard);
    const file = this.shards[shard];
    if (!file)
      throw this.files.error(
        'index_corrupt',
        'directory.bin',
        `lists no passage shard for passage ${doc}`,
      );
    const rows = await cachedLoad(this.cache, file.name, 1, () => this.load(file, signal));
    const row = rows[doc % this.perShard];
    if (!row) throw this.files.error('index_corrupt', file.name, `has no passage ${doc}`);
    // Strings are 1-2 bytes a character; 64 for the array and its headers.
    this.returned.set(key, row, 64 + row[0].length + row[1].length + row[2].length);
    return row;
  }

  private async load(file: ShardFile, signal?: AbortSignal): Promise<StoredPassage[]> {
    const bytes = await this.files.read(file, signal);
    let rows: unknown;
    try {
      const unpacked = await gunzip(bytes);
      // Its cost was unknown (one byte) while it loaded.
      this.cache.setCost(file.name, unpacked.byteLength);
      rows = JSON.parse(decodeUtf8(unpacked));
    } catch (err) {
      throw this.files.error('index_corrupt', file.name, 'is not a gzipped passage array', err);
    }
    if (!Array.isArray(rows))
      throw this.files.error('index_corrupt', file.name, 'is not a passage array');
    return rows as StoredPassage[];
  }
}
