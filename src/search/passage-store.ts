import { PlaygroundError, throwIfAborted } from '../errors.ts';
import type { IndexFileEntry } from './manifest.ts';
import { rebuildHint } from './manifest.ts';
import type { IndexFileSource } from './index-files.ts';
import { sha256Hex } from './index-files.ts';

/** One stored passage: [id, title, text]. */
export type StoredPassage = [string, string, string];

export function passageShardName(shard: number): string {
  return `passages-${String(shard).padStart(5, '0')}.json`;
}

/**
 * Passage texts, fetched one shard at a time on first use: a browser downloads only the shards
 * that hold results, and a shard is checked against the manifest before it is trusted.
 */
export class PassageStore {
  private readonly shards = new Map<number, Promise<StoredPassage[]>>();

  constructor(
    private readonly source: IndexFileSource,
    private readonly entries: ReadonlyMap<string, IndexFileEntry>,
    private readonly perShard: number,
    private readonly verify: boolean,
    /** Shards already in memory (a freshly built index). */
    preloaded?: ReadonlyMap<number, StoredPassage[]>,
  ) {
    for (const [i, rows] of preloaded ?? []) this.shards.set(i, Promise.resolve(rows));
  }

  async get(doc: number, signal?: AbortSignal): Promise<StoredPassage> {
    const shard = Math.floor(doc / this.perShard);
    let rows = this.shards.get(shard);
    if (!rows) {
      rows = this.load(shard, signal);
      this.shards.set(shard, rows);
      // A failed or aborted fetch must not poison the cache.
      rows.catch(() => this.shards.delete(shard));
    }
    const row = (await rows)[doc % this.perShard];
    if (!row) throw this.corrupt(passageShardName(shard), `has no passage ${doc}`);
    return row;
  }

  private async load(shard: number, signal?: AbortSignal): Promise<StoredPassage[]> {
    const name = passageShardName(shard);
    const entry = this.entries.get(name);
    if (!entry) throw this.corrupt(name, 'is not listed in manifest.json');
    throwIfAborted(signal);
    const bytes = await this.source.read(name, signal);
    if (!bytes) throw this.corrupt(name, 'is missing');
    if (bytes.byteLength !== entry.bytes) {
      throw this.corrupt(
        name,
        `is truncated or altered (${bytes.byteLength} bytes, manifest says ${entry.bytes})`,
      );
    }
    if (this.verify && (await sha256Hex(bytes)) !== entry.sha256) {
      throw this.corrupt(name, 'does not match its checksum in manifest.json');
    }
    let rows: unknown;
    try {
      rows = JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw this.corrupt(name, 'is not valid JSON', err);
    }
    if (!Array.isArray(rows)) throw this.corrupt(name, 'is not a passage array');
    return rows as StoredPassage[];
  }

  private corrupt(name: string, what: string, cause?: unknown): PlaygroundError {
    return new PlaygroundError(
      'index_corrupt',
      `Search index file ${this.source.location.replace(/\/$/, '')}/${name} ${what}. ${rebuildHint(this.source.location)}`,
      { cause },
    );
  }
}
