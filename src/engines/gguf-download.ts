/**
 * Downloads a GGUF model file with progress, cancel and resume (HTTP Range), into a store that
 * keeps it for offline use: the browser's origin-private file system (OPFS) when there is one,
 * memory otherwise. A download must end at the size the registry states; a wrong size, a missing
 * file or a server error is reported with the file named and what to do.
 */
import { PlaygroundError } from '../errors.ts';

export interface DownloadProgress {
  doneBytes: number;
  /** Null while the server has not said and the registry does not know. */
  totalBytes: number | null;
  fraction: number;
  elapsedS: number;
  etaS: number | null;
  /** Bytes kept from an earlier, interrupted download. */
  resumedFrom: number;
}

/** Where one model file accumulates while it downloads and lives once complete. */
export interface GgufStore {
  /** The complete file from an earlier download, if any. */
  complete(): Promise<Blob | null>;
  /** Bytes kept from an interrupted download (0 when none). */
  partialSize(): Promise<number>;
  /** Opens the partial file for appending at `offset` (0 starts it over). */
  openAppend(offset: number): Promise<GgufWriter>;
  /** Marks the partial file complete and returns it. */
  finish(): Promise<Blob>;
  remove(): Promise<void>;
}

export interface GgufWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Keeps what was written (also after a cancel, for a later resume). */
  close(): Promise<void>;
}

export interface DownloadOptions {
  /** Shown in messages, e.g. the model's label or file name. */
  name: string;
  /** The size the registry states; the download must end exactly there. */
  expectedBytes?: number;
  store: GgufStore;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  fetchImpl?: typeof fetch;
}

export async function downloadGguf(url: string, opts: DownloadOptions): Promise<Blob> {
  const { store, signal, name, expectedBytes } = opts;
  const doFetch = opts.fetchImpl ?? fetch;
  const aborted = () => new PlaygroundError('aborted', 'The model download was cancelled.');
  if (signal?.aborted) throw aborted();
  const done = await store.complete();
  if (done && (expectedBytes === undefined || done.size === expectedBytes)) return done;
  if (done) await store.remove();

  let have = await store.partialSize();
  if (expectedBytes !== undefined && have > expectedBytes) {
    await store.remove();
    have = 0;
  }
  const started = performance.now();
  let res: Response;
  try {
    res = await doFetch(url, {
      ...(signal && { signal }),
      ...(have > 0 && { headers: { Range: `bytes=${have}-` } }),
    });
  } catch (err) {
    if (signal?.aborted) throw aborted();
    throw new PlaygroundError(
      'download_failed',
      `Could not download ${name} from ${url} (network error). Check the connection and try again; the part already downloaded is kept.`,
      { cause: err },
    );
  }
  if (res.status === 416 && have > 0) {
    // The kept part does not fit the file on the server (it changed): start over.
    await store.remove();
    return downloadGguf(url, opts);
  }
  if (!res.ok || !res.body) {
    throw new PlaygroundError(
      'download_failed',
      res.status === 404
        ? `${name} is not at ${url} (HTTP 404). The model's address may have moved; check the model list or pick a local file.`
        : `Could not download ${name} from ${url} (HTTP ${res.status}). Try again later.`,
    );
  }
  // A server that ignores Range sends the whole file again.
  const resumed = res.status === 206 ? have : 0;
  const length = Number(res.headers.get('content-length'));
  const rangeTotal = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1];
  const serverTotal = rangeTotal
    ? Number(rangeTotal)
    : Number.isFinite(length) && res.headers.has('content-length')
      ? resumed + length
      : null;
  if (expectedBytes !== undefined && serverTotal !== null && serverTotal !== expectedBytes) {
    await res.body.cancel();
    await store.remove();
    throw wrongSize(name, url, serverTotal, expectedBytes);
  }
  const total = expectedBytes ?? serverTotal;

  const writer = await store.openAppend(resumed);
  let doneBytes = resumed;
  const reader = res.body.getReader();
  const report = () => {
    const elapsedS = (performance.now() - started) / 1000;
    const fraction = total ? Math.min(1, doneBytes / total) : 0;
    const rate = (doneBytes - resumed) / Math.max(elapsedS, 1e-3);
    opts.onProgress?.({
      doneBytes,
      totalBytes: total,
      fraction,
      elapsedS,
      etaS: total && rate > 0 ? (total - doneBytes) / rate : null,
      resumedFrom: resumed,
    });
  };
  report();
  try {
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      if (total !== null && doneBytes + value.length > total) {
        throw wrongSize(name, url, doneBytes + value.length, total, 'more than');
      }
      await writer.write(value);
      doneBytes += value.length;
      report();
    }
  } catch (err) {
    await writer.close().catch(() => undefined);
    if (signal?.aborted) throw aborted();
    if (err instanceof PlaygroundError) {
      await store.remove();
      throw err;
    }
    throw new PlaygroundError(
      'download_failed',
      `The download of ${name} broke off after ${doneBytes} bytes. Try again: it resumes where it stopped.`,
      { cause: err },
    );
  }
  await writer.close();
  if (total !== null && doneBytes !== total) {
    await store.remove();
    throw wrongSize(name, url, doneBytes, total);
  }
  return store.finish();
}

function wrongSize(
  name: string,
  url: string,
  got: number,
  want: number,
  how = '',
): PlaygroundError {
  return new PlaygroundError(
    'download_failed',
    `${name} from ${url} is ${how ? `${how} ` : ''}${got} bytes, not the ${want} the model list states: the file on the server is not this model. Nothing was kept.`,
  );
}

/** A store in memory: no resume across page loads; for browsers without OPFS, and for Node. */
export function memoryGgufStore(): GgufStore {
  let parts: Uint8Array[] = [];
  let size = 0;
  let finished: Blob | null = null;
  return {
    complete: async () => finished,
    partialSize: async () => size,
    async openAppend(offset) {
      if (offset === 0) {
        parts = [];
        size = 0;
      }
      return {
        async write(chunk) {
          parts.push(chunk.slice());
          size += chunk.length;
        },
        async close() {},
      };
    },
    async finish() {
      finished = new Blob(parts as BlobPart[]);
      parts = [];
      size = 0;
      return finished;
    },
    async remove() {
      parts = [];
      size = 0;
      finished = null;
    },
  };
}

const OPFS_DIR = 'gguf-models';

/** The OPFS store for one model, or null when this browser has no OPFS (then use memory). */
export async function opfsGgufStore(key: string): Promise<GgufStore | null> {
  let dir: FileSystemDirectoryHandle;
  try {
    const root = await navigator.storage.getDirectory();
    dir = await root.getDirectoryHandle(OPFS_DIR, { create: true });
  } catch {
    return null;
  }
  const safe = key.replace(/[^\w.-]+/g, '_');
  const data = `${safe}.gguf`;
  // An empty marker says the download finished; without it the data file is a partial one.
  const marker = `${safe}.complete`;
  const file = async (name: string) => {
    try {
      return await (await dir.getFileHandle(name)).getFile();
    } catch {
      return null;
    }
  };
  const removeEntry = async (name: string) => {
    await dir.removeEntry(name).catch(() => undefined);
  };
  return {
    complete: async () => ((await file(marker)) ? file(data) : null),
    partialSize: async () => ((await file(marker)) ? 0 : ((await file(data))?.size ?? 0)),
    async openAppend(offset) {
      await removeEntry(marker);
      const handle = await dir.getFileHandle(data, { create: true });
      const w = await handle.createWritable({ keepExistingData: offset > 0 });
      await w.truncate(offset);
      await w.seek(offset);
      return {
        write: (chunk) => w.write(chunk as Uint8Array<ArrayBuffer>),
        close: () => w.close(),
      };
    },
    async finish() {
      await dir.getFileHandle(marker, { create: true });
      const whole = await file(data);
      if (!whole) throw new PlaygroundError('storage_failed', `The download of ${key} vanished.`);
      return whole;
    },
    async remove() {
      await removeEntry(marker);
      await removeEntry(data);
    },
  };
}

/** GGUF files kept in OPFS and their sizes, for the model manager's storage list. */
export async function listStoredGguf(): Promise<
  { key: string; bytes: number; complete: boolean }[]
> {
  try {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(OPFS_DIR, { create: true });
    const sizes = new Map<string, number>();
    const complete = new Set<string>();
    for await (const [name, handle] of dir as unknown as AsyncIterable<
      [string, FileSystemHandle]
    >) {
      if (handle.kind !== 'file') continue;
      if (name.endsWith('.complete')) complete.add(name.slice(0, -'.complete'.length));
      else if (name.endsWith('.gguf'))
        sizes.set(
          name.slice(0, -'.gguf'.length),
          (await (handle as FileSystemFileHandle).getFile()).size,
        );
    }
    return [...sizes].map(([key, bytes]) => ({ key, bytes, complete: complete.has(key) }));
  } catch {
    return [];
  }
}
