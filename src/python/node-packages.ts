/**
 * Pure-Python packages from a host directory (e.g. Debian's python3-sympy), mounted read-only into
 * the sandbox, plus a byte-code cache the host writes (compiling sympy in Pyodide on every start
 * costs seconds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function packageMounts(opts: {
  dir: string;
  packages: string[];
  cacheDir?: string;
}): PackageMounts {
  const mounts = opts.packages
    .map((p) => ({ hostPath: join(opts.dir, p), mountPath: `${PACKAGES_MOUNT}/${p}` }))
    .filter((m) => existsSync(m.hostPath));
  const result: PackageMounts = { mounts, sysPath: mounts.length ? [PACKAGES_MOUNT] : [] };
  return result;
}

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
