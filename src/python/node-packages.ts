/**
 * Pure-Python packages from a host directory (e.g. Debian's python3-sympy), mounted read-only into
 * the sandbox, plus a byte-code cache the host writes (compiling sympy in Pyodide on every start
 * costs seconds).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './node-bundle.ts';

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
