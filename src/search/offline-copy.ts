import { PlaygroundError, throwIfAborted } from '../errors.ts';
import { CheckedFiles } from './checked-files.ts';
import type { IndexFileSource } from './index-files.ts';
import type { ShardFile } from './index-layout.ts';
import { openIndexFiles } from './load-index.ts';
import { MANIFEST_FILE } from './manifest.ts';

/** Where a copy of an index is kept: browser storage (OPFS) in the app, a folder in Node tests. */
export interface IndexStore extends IndexFileSource {
  write(name: string, data: Uint8Array): Promise<void>;
  /** The stored file's size, undefined when absent. */
  size(name: string): Promise<number | undefined>;
  /** Bytes this store may still take, undefined when unknown. */
  available(): Promise<number | undefined>;
}

export interface OfflinePlan {
  /** Every file of the index, manifest last. */
  files: ShardFile[];
  totalBytes: number;
  /** Bytes already kept from an earlier (interrupted) download. */
  storedBytes: number;
  /** True when the store holds the whole index, manifest included. */
  complete: boolean;
}

export interface OfflineProgress {
  doneBytes: number;
  totalBytes: number;
  file: string;
}

const MB = 1e6;

/** Files fetched at once by downloadIndex: enough to overlap network, hashing and storage. */
const DOWNLOADS_IN_FLIGHT = 6;

/** Every file of the index but the manifest, read from a checked open of the index. */
async function listFiles(
  source: IndexFileSource,
  signal?: AbortSignal,
): Promise<{ manifest: Uint8Array; files: ShardFile[] }> {
  const { manifestBytes, directoryEntry, directory } = await openIndexFiles(source, {
    ...(signal && { signal }),
  });
  return {
    manifest: manifestBytes,
    files: [
      directoryEntry,
      ...directory.termShards,
      ...directory.tailPacks,
      ...directory.passageShards,
    ],
  };
}

/** The plan, and the names of the files the store already holds at the right size. */
async function survey(
  source: IndexFileSource,
  store: IndexStore,
  signal?: AbortSignal,
): Promise<{ plan: OfflinePlan; stored: Set<string> }> {
  const { manifest, files } = await listFiles(source, signal);
  const all: ShardFile[] = [
    ...files,
    { name: MANIFEST_FILE, bytes: manifest.byteLength, sha256: '' },
  ];
  const stored = new Set<string>();
  let storedBytes = 0;
  for (const f of all) {
    if ((await store.size(f.name)) === f.bytes) {
      storedBytes += f.bytes;
      stored.add(f.name);
    }
  }
  const plan = {
    files: all,
    totalBytes: all.reduce((s, f) => s + f.bytes, 0),
    storedBytes,
    complete: stored.size === all.length,
  };
  return { plan, stored };
}

/** What a download would take: the size to show before starting, and what is kept already. */
export async function planOfflineCopy(
  source: IndexFileSource,
  store: IndexStore,
  signal?: AbortSignal,
): Promise<OfflinePlan> {
  return (await survey(source, store, signal)).plan;
}

/**
 * Copies the whole index into `store`, resuming after an interruption: files already kept at
 * the right size are skipped (each was checked against its sha256 before it was written), and
 * the manifest is written last, so a partial copy is never taken for a complete one.
 */
export async function downloadIndex(
  source: IndexFileSource,
  store: IndexStore,
  options: { onProgress?: (p: OfflineProgress) => void; signal?: AbortSignal } = {},
): Promise<OfflinePlan> {
  const { onProgress, signal } = options;
  const { plan, stored } = await survey(source, store, signal);
  const needed = plan.totalBytes - plan.storedBytes;
  const available = await store.available();
  if (available !== undefined && available < needed) {
    throw new PlaygroundError(
      'quota_exceeded',
      `Keeping the search index offline needs ${Math.ceil(needed / MB)} MB more space, but this browser lets the app store only ${Math.floor(available / MB)} MB more. Free some space (or allow this site more storage) and try again.`,
    );
  }
  const checked = new CheckedFiles(source);
  let done = plan.storedBytes;
  const manifestEntry = plan.files[plan.files.length - 1];
  const queue = plan.files.slice(0, -1);
  let next = 0;
  let failed: { err: unknown } | undefined;
  // Several files in flight: one at a time, each fetch, hash and storage write waited on the
  // one before (2.4 MB/s from a local server in Chromium).
  const worker = async () => {
    while (!failed && next < queue.length) {
      const f = queue[next++] as ShardFile;
      try {
        throwIfAborted(signal);
        // Already sized by the survey: a second look per file doubles the storage calls.
        if (stored.has(f.name)) continue;
        await store.write(f.name, await checked.read(f, signal));
      } catch (err) {
        failed ??= { err };
        return;
      }
      done += f.bytes;
      onProgress?.({ doneBytes: done, totalBytes: plan.totalBytes, file: f.name });
    }
  };
  // Every worker has stopped before the first failure is thrown: no write lands after it.
  await Promise.all(Array.from({ length: DOWNLOADS_IN_FLIGHT }, worker));
  if (failed) throw failed.err;
  const manifest = await source.read(MANIFEST_FILE, signal);
  if (!manifest || !manifestEntry || manifest.byteLength !== manifestEntry.bytes) {
    throw new PlaygroundError(
      'index_mismatch',
      `The search index at ${source.location} changed during the download. Start the download again.`,
    );
  }
  await store.write(MANIFEST_FILE, manifest);
  onProgress?.({ doneBytes: plan.totalBytes, totalBytes: plan.totalBytes, file: MANIFEST_FILE });
  return { ...plan, storedBytes: plan.totalBytes, complete: true };
}

/** The OPFS folder the app keeps its offline copy in. */
const OPFS_FOLDER = 'search-index';

/** Deletes the kept copy (to free space, or to repair a damaged one by keeping it again). */
export async function removeOpfsIndex(folder = OPFS_FOLDER): Promise<void> {
  try {
    await (await navigator.storage.getDirectory()).removeEntry(folder, { recursive: true });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'NotFoundError') return;
    throw new PlaygroundError(
      'storage_failed',
      `Could not remove the offline copy of the search index (${String(err)}). Clear this site's storage in the browser settings instead.`,
      { cause: err },
    );
  }
}

/** The index kept in the browser's origin-private file system (OPFS), under `folder`. */
export function opfsIndexStore(folder = OPFS_FOLDER, repair?: string): IndexStore {
  const dir = async () =>
    (await navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
  const file = async (name: string): Promise<File | undefined> => {
    try {
      return await (await (await dir()).getFileHandle(name)).getFile();
    } catch (err) {
      if (err instanceof DOMException && err.name === 'NotFoundError') return undefined;
      throw err;
    }
  };
  return {
    location: `browser storage (${folder})`,
    repair,
    async read(name) {
      const f = await file(name);
      return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
    },
    async size(name) {
      return (await file(name))?.size;
    },
    async write(name, data) {
      const handle = await (await dir()).getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      try {
        await writable.write(data as Uint8Array<ArrayBuffer>);
        await writable.close();
      } catch (err) {
        await writable.abort().catch(() => undefined);
        if (err instanceof DOMException && err.name === 'QuotaExceededError') {
          throw new PlaygroundError(
            'quota_exceeded',
            `The browser ran out of storage while keeping ${name} of the search index. Free some space and try again: the download resumes where it stopped.`,
            { cause: err },
          );
        }
        throw new PlaygroundError(
          'storage_failed',
          `Could not store ${name} of the search index (${String(err)}).`,
          { cause: err },
        );
      }
    },
    async available() {
      const { quota, usage } = await navigator.storage.estimate();
      return quota === undefined ? undefined : quota - (usage ?? 0);
    },
  };
}
