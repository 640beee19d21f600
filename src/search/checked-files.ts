import { PlaygroundError, throwIfAborted } from '../errors.ts';
import { canHash, sha256Hex, type IndexFileSource } from './index-files.ts';
import type { ShardFile } from './index-layout.ts';
import { rebuildHint } from './manifest.ts';

/**
 * Reads index files and trusts none before its size and sha256 match what the manifest (or the
 * directory it vouches for) says: a damaged or partial shard is named, never silently used.
 */
export class CheckedFiles {
  readonly verify: boolean;

  constructor(
    readonly source: IndexFileSource,
    verify = true,
  ) {
    // Pages served over plain http have no SubtleCrypto: there only sizes are checked.
    this.verify = verify && canHash();
  }

  error(
    code: 'index_corrupt' | 'index_missing',
    name: string,
    what: string,
    cause?: unknown,
    hint = rebuildHint(this.source),
  ): PlaygroundError {
    const where = `${this.source.location.replace(/\/$/, '')}/${name}`;
    return new PlaygroundError(code, `Search index file ${where} ${what}. ${hint}`, { cause });
  }

  read(file: ShardFile, signal?: AbortSignal): Promise<Uint8Array> {
    throwIfAborted(signal);
    return this.check(file, this.source.read(file.name, signal), signal);
  }

  /** Checks a read started before the file's size and checksum were known. */
  async check(
    file: ShardFile,
    reading: Promise<Uint8Array | undefined>,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await reading;
    } catch (err) {
      throwIfAborted(signal);
      // Most often a dropped connection or a server that went away: nothing to rebuild.
      throw this.error(
        'index_missing',
        file.name,
        `could not be read (${String(err)})`,
        err,
        'Check the connection (or that the index is still there) and try again.',
      );
    }
    if (!bytes) throw this.error('index_corrupt', file.name, 'is missing (listed in the index)');
    if (bytes.byteLength !== file.bytes) {
      throw this.error(
        'index_corrupt',
        file.name,
        `is truncated or altered (${bytes.byteLength} bytes, the index lists ${file.bytes})`,
      );
    }
    if (this.verify && (await sha256Hex(bytes)) !== file.sha256) {
      throw this.error('index_corrupt', file.name, 'does not match its checksum in the index');
    }
    return bytes;
  }
}

/** A least-recently-used cache bounded by a cost (bytes, postings) rather than a count. */
export class LruCache<V> {
  private readonly map = new Map<string, { value: V; cost: number }>();
  private total = 0;

  constructor(private readonly maxCost: number) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  /** Whether the key is held, without making it the most recent. */
  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V, cost: number): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.cost;
      this.map.delete(key);
    }
    this.map.set(key, { value, cost });
    this.total += cost;
    this.evict();
  }

  /** Corrects the cost of an entry whose size was known only after it was stored. */
  setCost(key: string, cost: number): void {
    const hit = this.map.get(key);
    if (!hit) return;
    this.total += cost - hit.cost;
    hit.cost = cost;
    this.evict();
  }

  private evict(): void {
    for (const [k, v] of this.map) {
      if (this.total <= this.maxCost || this.map.size <= 1) break;
      this.map.delete(k);
      this.total -= v.cost;
    }
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (!old) return;
    this.total -= old.cost;
    this.map.delete(key);
  }
}

/** Caches a promise per key; a failed load is forgotten so a retry can succeed. */
export function cachedLoad<V>(
  cache: LruCache<Promise<V>>,
  key: string,
  cost: number,
  load: () => Promise<V>,
): Promise<V> {
  const hit = cache.get(key);
  if (hit) return hit;
  const p = load();
  cache.set(key, p, cost);
  p.catch(() => cache.delete(key));
  return p;
}
