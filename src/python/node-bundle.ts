/**
 * The sandbox child runs under Node's permission model, where tsx cannot work (esbuild would need
 * a child process). So the host bundles the child and worker entry points into plain JavaScript
 * once per source version, into a cache directory only the host writes.
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
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rawTextPlugin } from './esbuild-raw-text.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../..');
const require = createRequire(import.meta.url);

export interface NodeBundles {
  dir: string;
  child: string;
  worker: string;
  pyodideDir: string;
}

let cached: Promise<NodeBundles> | null = null;

export function pyodideDir(): string {
  return dirname(require.resolve('pyodide/pyodide.mjs'));
}

/** Returns the bundle paths, building them when the sources changed. */
export function nodeBundles(): Promise<NodeBundles> {
  cached ??= build().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

function sourceHash(): string {
  const h = createHash('sha256');
  for (const dir of [
    join(REPO_ROOT, 'src/python'),
    join(REPO_ROOT, 'src/python/py/_sandbox'),
    join(REPO_ROOT, 'src/workers'),
  ]) {
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.ts') && !f.endsWith('.py')) continue;
      h.update(f);
      h.update(readFileSync(join(dir, f)));
    }
  }
  h.update(readFileSync(join(REPO_ROOT, 'src/errors.ts')));
  h.update(process.version);
  return h.digest('hex').slice(0, 16);
}

function cacheRoot(): string {
  const preferred = join(REPO_ROOT, '.cache/python-sandbox');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), 'small-agent-playground-python-sandbox');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

async function build(): Promise<NodeBundles> {
  const pyDir = pyodideDir();
  const dir = join(cacheRoot(), sourceHash());
  const child = join(dir, 'child.mjs');
  const worker = join(dir, 'worker.mjs');
  if (existsSync(child) && existsSync(worker)) return { dir, child, worker, pyodideDir: pyDir };
  const esbuild = await import('esbuild');
  const pyodideUrl = pathToFileURL(join(pyDir, 'pyodide.mjs')).href;
  const result = await esbuild.build({
    entryPoints: {
      child: join(REPO_ROOT, 'src/workers/python-node-child.ts'),
      worker: join(REPO_ROOT, 'src/workers/python-node.worker.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
    plugins: [
      {
        name: 'pyodide-external',
        setup(b) {
          b.onResolve({ filter: /^pyodide$/ }, () => ({ path: pyodideUrl, external: true }));
        },
      },
      rawTextPlugin,
    ],
  });
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
  mkdirSync(tmp, { recursive: true });
  for (const f of result.outputFiles)
    writeFileSync(join(tmp, f.path.slice(dir.length + 1)), f.contents);
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process built the same version first; theirs is identical.
    rmSync(tmp, { recursive: true, force: true });
  }
  removeStale(dir);
  return { dir, child, worker, pyodideDir: pyDir };
}

/** Bundles of older source versions, left a day ago or more. */
function removeStale(current: string): void {
  const root = join(current, '..');
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (path === current) continue;
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}
