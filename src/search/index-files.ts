/**
 * How an index directory is read and written, whatever holds it: a folder (Node), a URL base
 * (browser fetch) or memory (tests, the benchmark). Node-only sources live in ./node.
 */
/** Where an index lives, as error messages name it, and what a person there can do to repair it. */
export interface IndexPlace {
  /** A path or a URL. */
  readonly location: string;
  /**
   * What to do when the index here is missing or damaged, in the words of where it is used (the
   * app's users have no CLI). Without it: rebuild with `playground index build`.
   */
  readonly repair?: string;
}

export interface IndexFileSource extends IndexPlace {
  /** The file's bytes, or undefined when it does not exist. */
  read(name: string, signal?: AbortSignal): Promise<Uint8Array | undefined>;
}

export interface IndexFileSink {
  readonly location: string;
  write(name: string, data: Uint8Array): Promise<void>;
  /** Streams back a file written earlier: the builder's spilled runs. */
  readStream(name: string): AsyncIterable<Uint8Array>;
  remove(name: string): Promise<void>;
}

/** Reads `<baseUrl>/<name>` with fetch; a 404 is a missing file, other failures throw. */
export function fetchIndexSource(
  baseUrl: string | URL,
  fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  repair?: string,
): IndexFileSource {
  const base = new URL(String(baseUrl).replace(/\/?$/, '/'), globalThis.location?.href);
  return {
    location: base.href,
    repair,
    async read(name, signal) {
      const res = await fetchImpl(new URL(name, base), { signal });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${name}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

/** An index held in memory: both a sink the builder writes to and a source to load from. */
export class MemoryIndexFiles implements IndexFileSource, IndexFileSink {
  readonly location = 'memory';
  readonly files = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array | undefined> {
    return this.files.get(name);
  }

  async write(name: string, data: Uint8Array): Promise<void> {
    this.files.set(name, data.slice());
  }

  async *readStream(name: string): AsyncIterable<Uint8Array> {
    const data = this.files.get(name);
    if (!data) throw new Error(`no file ${name}`);
    for (let at = 0; at < data.length; at += 1 << 20) yield data.subarray(at, at + (1 << 20));
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}

/** True where SubtleCrypto exists: Node, and browsers in a secure context (https, localhost). */
export function canHash(): boolean {
  return typeof globalThis.crypto?.subtle?.digest === 'function';
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
