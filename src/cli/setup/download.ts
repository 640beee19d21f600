/**
 * One verified download: streamed to `<target>.part` while hashing, renamed into place only when
 * the checksum matches, so a file at `target` is always complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface DownloadSpec {
  url: string;
  target: string;
  /** Hex sha256 the file must have; without it any non-empty body is accepted. */
  sha256?: string;
}

export interface DownloadOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Time limit for the whole file; default 10 min. */
  timeoutMs?: number;
  /** Time limit until the response starts (a dead network fails fast); default 30 s. */
  connectTimeoutMs?: number;
  onBytes?: (received: number, total: number | null) => void;
}

/** Thrown when the body arrived but its checksum is wrong (the partial file is already gone). */
export class ChecksumMismatch extends Error {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`checksum mismatch for ${url}: expected sha256 ${expected}, got ${actual}`);
    this.name = 'ChecksumMismatch';
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** True when `path` exists and (when a checksum is given) has it. */
export async function fileIntact(path: string, sha256?: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile() || st.size === 0) return false;
  return sha256 === undefined || (await sha256File(path)) === sha256;
}

export async function downloadVerified(
  spec: DownloadSpec,
  options: DownloadOptions = {},
): Promise<{ bytes: number }> {
  const doFetch = options.fetch ?? fetch;
  const connect = new AbortController();
  const timer = setTimeout(
    () => connect.abort(new Error('no response in time')),
    options.connectTimeoutMs ?? 30_000,
  );
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 10 * 60_000), connect.signal];
  if (options.signal) signals.push(options.signal);
  const response = await doFetch(spec.url, { signal: AbortSignal.any(signals) }).finally(() =>
    clearTimeout(timer),
  );
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} from ${spec.url}`);
  }
  const header = response.headers.get('content-length');
  const total = header ? Number(header) : null;
  const part = `${spec.target}.part`;
  await mkdir(dirname(spec.target), { recursive: true });
  const hash = createHash('sha256');
  let received = 0;
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    received += chunk.byteLength;
    options.onBytes?.(received, total);
  });
  try {
    await pipeline(body, createWriteStream(part));
    const actual = hash.digest('hex');
    if (spec.sha256 !== undefined && actual !== spec.sha256)
      throw new ChecksumMismatch(spec.url, spec.sha256, actual);
    if (received === 0) throw new Error(`${spec.url} sent an empty body`);
    await rename(part, spec.target);
    return { bytes: received };
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

/** The error text of a failed fetch, with the network cause Node hides in `cause`. */
export function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${message}${cause}`;
}

/** The sha256 a hub publishes for a file (Hugging Face sends it as the LFS etag), if any. */
function publishedSha256(response: Response): string | undefined {
  const tag = (response.headers.get('x-linked-etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
  return /^[0-9a-f]{64}$/.test(tag) ? tag : undefined;
}

export interface ResumableProgress {
  received: number;
  total: number | null;
  /** Bytes kept from an earlier, interrupted attempt. */
  resumedFrom: number;
}

/**
 * A large download that survives a dropped connection: bytes go to `<target>.part`, and a later
 * call asks only for the rest (HTTP Range). The whole file is then checked against `sha256` or,
 * without one, the sum the server publishes, and renamed into place.
 */
export async function downloadResumable(
  spec: DownloadSpec,
  options: Omit<DownloadOptions, 'onBytes'> & { onProgress?: (p: ResumableProgress) => void } = {},
): Promise<{ bytes: number; resumedFrom: number; sha256?: string }> {
  const doFetch = options.fetch ?? fetch;
  const part = `${spec.target}.part`;
  await mkdir(dirname(spec.target), { recursive: true });
  let have = (await stat(part).catch(() => null))?.size ?? 0;
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 24 * 3600_000)];
  if (options.signal) signals.push(options.signal);
  const response = await doFetch(spec.url, {
    signal: AbortSignal.any(signals),
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
  });
  if (response.status === 416 && have > 0) {
    await response.body?.cancel();
  } else {
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} from ${spec.url}`);
    }
    // A server that ignores Range sends the whole file again: start over.
    if (response.status !== 206) have = 0;
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? have + length : null;
    const resumedFrom = have;
    let received = have;
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      options.onProgress?.({ received, total, resumedFrom });
    });
    await pipeline(body, createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }));
    if (total !== null && received !== total)
      throw new Error(`${spec.url} ended after ${received} of ${total} bytes`);
  }
  const expected = spec.sha256 ?? publishedSha256(response);
  // Hashed only when there is a sum to compare with: a corpus is gigabytes to read back.
  if (expected !== undefined) {
    const actual = await sha256File(part);
    if (actual !== expected) {
      await rm(part, { force: true });
      throw new ChecksumMismatch(spec.url, expected, actual);
    }
  }
  const bytes = (await stat(part)).size;
  await rename(part, spec.target);
  return { bytes, resumedFrom: have, ...(expected !== undefined && { sha256: expected }) };
}
