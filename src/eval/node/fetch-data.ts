/**
 * Downloads the paper's eight test files from the reference repository into the data directory.
 * Idempotent: a file already there with the right checksum is skipped. Offline, it says which
 * files are missing and where to put them.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PlaygroundError } from '../../errors.ts';
import { BENCHMARKS, REFERENCE_RAW_BASE } from '../benchmarks.ts';

export interface DataFile {
  benchmark: string;
  /** Path under the data directory. */
  path: string;
  url: string;
  sha256?: string;
  size?: number;
}

export interface FetchProgress {
  file: DataFile;
  receivedBytes: number;
  totalBytes: number | null;
  state: 'skipped' | 'downloading' | 'done' | 'failed';
  error?: string;
}

export interface FetchDataOptions {
  dataDir: string;
  /** Raw root of the reference repository (tests point it at a local server). */
  baseUrl?: string;
  files?: DataFile[];
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (p: FetchProgress) => void;
  /** Per-file time limit. */
  timeoutMs?: number;
}

export interface FetchDataResult {
  downloaded: string[];
  skipped: string[];
}

/** The eight paper files; PLAYGROUND_DATA_BASE_URL overrides the repository root. */
export function paperDataFiles(baseUrl?: string): DataFile[] {
  const base = (baseUrl ?? process.env.PLAYGROUND_DATA_BASE_URL ?? REFERENCE_RAW_BASE).replace(
    /\/+$/,
    '',
  );
  return BENCHMARKS.flatMap((b) =>
    b.remotePath
      ? [
          {
            benchmark: b.name,
            path: b.file,
            url: `${base}/${b.remotePath}`,
            sha256: b.sha256,
            size: b.size,
          },
        ]
      : [],
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function intact(file: DataFile, bytes: Uint8Array): boolean {
  if (file.sha256) return sha256(bytes) === file.sha256;
  if (file.size !== undefined) return bytes.byteLength === file.size;
  return bytes.byteLength > 0;
}

async function download(file: DataFile, options: FetchDataOptions): Promise<Uint8Array> {
  const doFetch = options.fetch ?? fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const response = await doFetch(file.url, { signal });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${file.url}`);
  const header = response.headers.get('content-length');
  const totalBytes = header ? Number(header) : (file.size ?? null);
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      receivedBytes += value.byteLength;
      options.onProgress?.({ file, receivedBytes, totalBytes, state: 'downloading' });
    }
  }
  const bytes = new Uint8Array(receivedBytes);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  if (!intact(file, bytes)) {
    throw new Error(
      `${file.url} gave ${bytes.byteLength} bytes that do not match the expected checksum`,
    );
  }
  return bytes;
}

function failureMessage(failed: { file: DataFile; error: string }[], dataDir: string): string {
  return [
    `Could not download ${failed.length} benchmark file(s); place them by hand at these paths:`,
    ...failed.map(
      ({ file, error }) => `  ${join(dataDir, file.path)}\n    from ${file.url}\n    (${error})`,
    ),
    'Then run `playground setup --data` again to check them (or rerun it once the network is reachable).',
  ].join('\n');
}

export async function fetchPaperData(options: FetchDataOptions): Promise<FetchDataResult> {
  const files = options.files ?? paperDataFiles(options.baseUrl);
  const result: FetchDataResult = { downloaded: [], skipped: [] };
  const failed: { file: DataFile; error: string }[] = [];
  for (const file of files) {
    const target = join(options.dataDir, file.path);
    if (existsSync(target) && intact(file, await readFile(target))) {
      result.skipped.push(file.path);
      options.onProgress?.({
        file,
        receivedBytes: file.size ?? 0,
        totalBytes: file.size ?? null,
        state: 'skipped',
      });
      continue;
    }
    try {
      const bytes = await download(file, options);
      await mkdir(dirname(target), { recursive: true });
      // A partial file must never look complete: write aside, then rename.
      await writeFile(`${target}.part`, bytes);
      await rename(`${target}.part`, target);
      result.downloaded.push(file.path);
      options.onProgress?.({
        file,
        receivedBytes: bytes.byteLength,
        totalBytes: bytes.byteLength,
        state: 'done',
      });
    } catch (err) {
      if (options.signal?.aborted)
        throw new PlaygroundError('aborted', 'Download stopped.', { cause: err });
      const cause =
        err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      const error = `${err instanceof Error ? err.message : String(err)}${cause}`;
      failed.push({ file, error });
      options.onProgress?.({ file, receivedBytes: 0, totalBytes: null, state: 'failed', error });
    }
  }
  if (failed.length)
    throw new PlaygroundError('download_failed', failureMessage(failed, options.dataDir));
  return result;
}
