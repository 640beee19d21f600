/**
 * Pure-Python packages from a host directory (e.g. Debian's python3-sympy), mounted read-only into
 * the sandbox, plus a byte-code cache the host writes (compiling sympy in Pyodide on every start
 * costs seconds).
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { pyodideDir, REPO_ROOT } from './node-bundle.ts';

export const PACKAGES_MOUNT = '/opt/sandbox-packages';
export const PYCACHE_MOUNT = '/opt/sandbox-pycache';

export interface PackageMounts {
  mounts: { hostPath: string; mountPath: string }[];
  sysPath: string[];
  pycachePrefix?: string;
}

export function defaultPackageCacheDir(): string {
  return join(REPO_ROOT, '.cache/python-packages');
}

export interface PackageSource {
  dir: string;
  packages: string[];
  /** Default <repo>/.cache/python-packages. */
  cacheDir?: string;
}

/** Mounts for the sandbox; uses the byte-code cache when it is complete. */
export function packageMounts(opts: PackageSource): PackageMounts {
  const mounts = opts.packages
    .map((p) => ({ hostPath: join(opts.dir, p), mountPath: `${PACKAGES_MOUNT}/${p}` }))
    .filter((m) => existsSync(m.hostPath));
  const result: PackageMounts = { mounts, sysPath: mounts.length ? [PACKAGES_MOUNT] : [] };
  if (!mounts.length) return result;
  const cache = cachePath(opts, mounts);
  if (existsSync(join(cache, 'complete'))) {
    result.mounts.push({ hostPath: cache, mountPath: PYCACHE_MOUNT });
    result.pycachePrefix = PYCACHE_MOUNT;
  }
  return result;
}

function cachePath(opts: PackageSource, mounts: { hostPath: string }[]): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(pyodideDir(), 'package.json')));
  for (const m of mounts) {
    h.update(m.hostPath);
    const init = join(m.hostPath, '__init__.py');
    if (existsSync(init)) h.update(String(statSync(init).mtimeMs));
  }
  return join(opts.cacheDir ?? defaultPackageCacheDir(), h.digest('hex').slice(0, 16));
}

const warming = new Map<string, Promise<boolean>>();

/**
 * Byte-compiles the packages with Pyodide's own Python into the cache directory. Runs in a worker
 * thread of the host process (trusted code only: it imports the packages, nothing else), writes
 * into a temporary directory and renames it, so a sandbox never sees a half-written cache.
 * Resolves to false when the cache could not be built (the sandbox then compiles in memory).
 */
export function warmPackageCache(opts: PackageSource): Promise<boolean> {
  const mounts = opts.packages
    .map((p) => ({ hostPath: join(opts.dir, p), mountPath: `${PACKAGES_MOUNT}/${p}` }))
    .filter((m) => existsSync(m.hostPath));
  if (!mounts.length) return Promise.resolve(false);
  const cache = cachePath(opts, mounts);
  if (existsSync(join(cache, 'complete'))) return Promise.resolve(true);
  let job = warming.get(cache);
  if (!job) {
    job = buildCache(cache, mounts, opts.packages).catch(() => false);
    warming.set(cache, job);
  }
  return job;
}

async function buildCache(
  cache: string,
  mounts: { hostPath: string; mountPath: string }[],
  packages: string[],
): Promise<boolean> {
  const parent = join(cache, '..');
  mkdirSync(parent, { recursive: true });
  const base = cache.split('/').pop() ?? 'cache';
  for (const f of readdirSync(parent)) {
    if (f.startsWith(`${base}.tmp-`)) rmSync(join(parent, f), { recursive: true, force: true });
  }
  const tmp = `${cache}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const worker = new Worker(WARM_SCRIPT, {
    eval: true,
    workerData: {
      pyodideUrl: pathToFileURL(join(pyodideDir(), 'pyodide.mjs')).href,
      indexURL: `${pyodideDir()}/`,
      mounts: [...mounts, { hostPath: tmp, mountPath: PYCACHE_MOUNT }],
      packagesMount: PACKAGES_MOUNT,
      pycache: PYCACHE_MOUNT,
      modules: packages,
    },
  });
  // A host that exits first leaves a temporary directory that the next attempt removes.
  worker.unref();
  const ok = await new Promise<boolean>((resolve) => {
    worker.on('message', (m: unknown) => resolve(m === 'ok'));
    worker.on('error', () => resolve(false));
    worker.on('exit', () => resolve(false));
  });
  await worker.terminate();
  if (!ok) {
    rmSync(tmp, { recursive: true, force: true });
    return false;
  }
  writeFileComplete(tmp);
  try {
    renameSync(tmp, cache);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return existsSync(join(cache, 'complete'));
}

function writeFileComplete(dir: string): void {
  // An empty marker: its presence means every .pyc was written.
  writeFileSync(join(dir, 'complete'), '');
}

const WARM_SCRIPT = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { loadPyodide } = await import(workerData.pyodideUrl);
  const py = await loadPyodide({ indexURL: workerData.indexURL, stdout: () => {}, stderr: () => {} });
  for (const m of workerData.mounts) {
    py.FS.mkdirTree(m.mountPath);
    py.mountNodeFS(m.mountPath, m.hostPath);
  }
  py.globals.set('cfg', py.toPy(workerData));
  py.runPython([
    'import sys, importlib',
    'sys.path.append(cfg["packagesMount"])',
    'sys.pycache_prefix = cfg["pycache"]',
    'sys.dont_write_bytecode = False',
    'for name in cfg["modules"]:',
    '    importlib.import_module(name)',
    'if "sympy" in cfg["modules"]:',
    '    import sympy.abc',
  ].join('\\n'));
  parentPort.postMessage('ok');
})().catch((e) => parentPort.postMessage(String(e && e.message || e)));
`;

/** Where a setup step puts Pyodide's own wheels for the app; Node can load them from there too. */
export function defaultWheelsDir(): string {
  return join(REPO_ROOT, 'public/pyodide');
}

/** Which of `names` have their wheel, and their dependencies' wheels, in `dir`. */
export function availableWheels(dir: string, names: string[]): string[] {
  if (!existsSync(dir)) return [];
  let lock: { packages: Record<string, { file_name: string; depends: string[] }> };
  try {
    lock = JSON.parse(readFileSync(join(pyodideDir(), 'pyodide-lock.json'), 'utf8')) as typeof lock;
  } catch {
    return [];
  }
  const present = (name: string, seen: Set<string>): boolean => {
    const p = lock.packages[name];
    if (!p || !existsSync(join(dir, p.file_name))) return false;
    seen.add(name);
    return p.depends.every((d) => seen.has(d) || present(d, seen));
  };
  return names.filter((n) => present(n, new Set()));
}
