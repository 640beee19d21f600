import { decodeUtf8, gunzip } from './bytes.ts';
import { cachedLoad, LruCache, type CheckedFiles } from './checked-files.ts';
import type { StoredPassage } from './index-builder.ts';
import type { ShardFile } from './index-layout.ts';

/** Passage shards kept decoded at once: a few MB whatever the corpus. */
const CACHED_SHARDS = 16;

/**
 * Passage texts, fetched one gzipped shard at a time on first use: a query downloads only the
 * shards that hold its results, each checked against the directory before it is trusted.
 */
export class PassageStore {
  private readonly cache = new LruCache<Promise<StoredPassage[]>>(CACHED_SHARDS);

  constructor(
    private readonly files: CheckedFiles,
    private readonly shards: readonly ShardFile[],
    private readonly perShard: number,
  ) {}

  async get(doc: number, signal?: AbortSignal): Promise<StoredPassage> {
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
    return row;
  }

  private async load(file: ShardFile, signal?: AbortSignal): Promise<StoredPassage[]> {
    const bytes = await this.files.read(file, signal);
    let rows: unknown;
    try {
      rows = JSON.parse(decodeUtf8(await gunzip(bytes)));
    } catch (err) {
      throw this.files.error('index_corrupt', file.name, 'is not a gzipped passage array', err);
    }
    if (!Array.isArray(rows))
      throw this.files.error('index_corrupt', file.name, 'is not a passage array');
    return rows as StoredPassage[];
  }
}
