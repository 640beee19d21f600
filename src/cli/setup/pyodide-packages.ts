/**
 * Pyodide's own wheels (numpy, sympy, mpmath and what they depend on) for the pinned Pyodide,
 * fetched from its CDN into public/pyodide/, which the app serves at /pyodide/ next to Pyodide's
 * core: `loadPackage` then finds them through the same pyodide-lock.json, with no network.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PlaygroundError } from '../../errors.ts';
import { defaultWheelsDir } from '../../python/node-packages.ts';
import { pyodideDir } from '../../python/node-bundle.ts';
import { ChecksumMismatch, describeFailure, downloadVerified, fileIntact } from './download.ts';

export const DEFAULT_PYODIDE_PACKAGES = ['numpy', 'sympy', 'mpmath'];

export interface PyodidePackagesOptions {
  /** Where the wheels go; default public/pyodide. */
  dir?: string;
  /** Default Pyodide's own pyodide-lock.json (tests pass a lock of fake wheels). */
  lockFile?: string;
  /** Default https://cdn.jsdelivr.net/pyodide/v<version>/full/. */
  baseUrl?: string;
  packages?: string[];
  fetch?: typeof fetch;
  signal?: AbortSignal;
  timeoutMs?: number;
  onStart?: (file: WheelFile) => void;
  onBytes?: (file: WheelFile, received: number, total: number | null) => void;
  onDone?: (file: WheelFile, state: 'present' | 'downloaded' | 'failed', detail?: string) => void;
}

export interface WheelFile {
  package: string;
  fileName: string;
  sha256: string;
  url: string;
  target: string;
}

export interface PyodidePackagesResult {
  dir: string;
  downloaded: string[];
  present: string[];
}

interface LockPackage {
  file_name: string;
  sha256: string;
  depends: string[];
}

export async function pyodideVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(pyodideDir(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function defaultPyodideBaseUrl(): Promise<string> {
  return `https://cdn.jsdelivr.net/pyodide/v${await pyodideVersion()}/full/`;
}

function lockPackage(lock: Record<string, unknown>, name: string, lockFile: string): LockPackage {
  const p = lock[name] as Partial<LockPackage> | undefined;
  if (
    !p ||
    typeof p.file_name !== 'string' ||
    typeof p.sha256 !== 'string' ||
    !Array.isArray(p.depends)
  ) {
    throw new PlaygroundError(
      'data_invalid',
      `${lockFile} has no usable entry for the Pyodide package "${name}".`,
    );
  }
  return { file_name: p.file_name, sha256: p.sha256, depends: p.depends as string[] };
}

/** The wheel files the wanted packages need, dependencies included, from the lock file. */
export async function resolveWheels(options: PyodidePackagesOptions = {}): Promise<WheelFile[]> {
  const lockFile =
    options.lockFile ??
    process.env.PLAYGROUND_PYODIDE_LOCK ??
    join(pyodideDir(), 'pyodide-lock.json');
  const dir = options.dir ?? defaultWheelsDir();
  let base = options.baseUrl ?? process.env.PLAYGROUND_PYODIDE_BASE_URL;
  base ??= await defaultPyodideBaseUrl();
  if (!base.endsWith('/')) base += '/';
  const lock = (JSON.parse(await readFile(lockFile, 'utf8')) as { packages?: unknown }).packages;
  if (typeof lock !== 'object' || lock === null)
    throw new PlaygroundError('data_invalid', `${lockFile} is not a Pyodide lock file.`);
  const seen = new Set<string>();
  const queue = [...(options.packages ?? DEFAULT_PYODIDE_PACKAGES)];
  const files: WheelFile[] = [];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const p = lockPackage(lock as Record<string, unknown>, name, lockFile);
    queue.push(...p.depends);
    files.push({
      package: name,
      fileName: p.file_name,
      sha256: p.sha256,
      url: new URL(p.file_name, base).href,
      target: join(dir, p.file_name),
    });
  }
  return files;
}

/** Wheels not present with the right checksum. */
export async function missingWheels(options: PyodidePackagesOptions = {}): Promise<WheelFile[]> {
  const files = await resolveWheels(options);
  const intact = await Promise.all(files.map((f) => fileIntact(f.target, f.sha256)));
  return files.filter((_, i) => !intact[i]);
}

function offlineMessage(failed: { file: WheelFile; error: string }[], dir: string): string {
  return [
    `Pyodide packages: ${failed.length} wheel(s) missing from ${dir}, so numpy/sympy/mpmath cannot be imported in the app:`,
    ...failed.map(
      ({ file, error }) =>
        `  ${file.fileName} (${file.package}, sha256 ${file.sha256})\n    from ${file.url}\n    (${error})`,
    ),
    'Run `playground setup --pyodide-packages` again when online, or download these files by hand into',
    `${dir} (a mirror works too: --pyodide-base-url <url> or PLAYGROUND_PYODIDE_BASE_URL).`,
  ].join('\n');
}

/** Idempotent: a wheel present with the right sha256 is kept; a wrong one is replaced. */
export async function setupPyodidePackages(
  options: PyodidePackagesOptions = {},
): Promise<PyodidePackagesResult> {
  const dir = options.dir ?? defaultWheelsDir();
  const files = await resolveWheels({ ...options, dir });
  const result: PyodidePackagesResult = { dir, downloaded: [], present: [] };
  const failed: { file: WheelFile; error: string }[] = [];
  for (const file of files) {
    if (await fileIntact(file.target, file.sha256)) {
      result.present.push(file.fileName);
      options.onDone?.(file, 'present');
      continue;
    }
    // A file with the wrong checksum must not be served: Pyodide would refuse it at import.
    if (existsSync(file.target)) await rm(file.target, { force: true });
    options.onStart?.(file);
    try {
      await downloadVerified(file, {
        ...(options.fetch && { fetch: options.fetch }),
        ...(options.signal && { signal: options.signal }),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        onBytes: (received, total) => options.onBytes?.(file, received, total),
      });
      result.downloaded.push(file.fileName);
      options.onDone?.(file, 'downloaded');
    } catch (err) {
      if (options.signal?.aborted)
        throw new PlaygroundError('aborted', 'Download stopped.', { cause: err });
      const error =
        err instanceof ChecksumMismatch
          ? `corrupt download removed: ${err.message}`
          : describeFailure(err);
      failed.push({ file, error });
      options.onDone?.(file, 'failed', error);
    }
  }
  if (failed.length) throw new PlaygroundError('download_failed', offlineMessage(failed, dir));
  return result;
}
