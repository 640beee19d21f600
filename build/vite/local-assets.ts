import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { ISOLATION_HEADERS } from '../serve/isolation-headers.ts';
import { staticFiles, toMiddleware } from '../serve/static-files.ts';
import { DEFAULT_PYODIDE_PACKAGES } from '../../src/cli/setup/pyodide-packages.ts';
import { availableWheels, defaultWheelsDir } from '../../src/python/node-packages.ts';
import { MANIFEST_FILE } from '../../src/search/manifest.ts';
import { defaultIndexDir, namedIndexDir } from '../../src/search/node/index-dir.ts';

const indexDir = (root: string) => namedIndexDir() ?? defaultIndexDir(root);
export const hasIndex = (root: string) => existsSync(join(indexDir(root), MANIFEST_FILE));

/** The index folder's size on disk (0 without an index). */
export function indexBytes(root: string): number {
  if (!hasIndex(root)) return 0;
  const dir = indexDir(root);
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/**
 * The search index the app serves at /generated/index/: public/generated/index by default, or
 * the folder named by PLAYGROUND_INDEX_DIR (tests build a small one elsewhere). The app reads
 * /local-assets.json to learn whether an index exists, so a missing one costs no failed request.
 */
export function localAssets(root: string): Plugin {
  const defaultDir = defaultIndexDir(root);
  // Pyodide packages `playground setup` puts in public/pyodide/; the app names any missing.
  const python = () => {
    const present = availableWheels(defaultWheelsDir(), DEFAULT_PYODIDE_PACKAGES);
    return { missing: DEFAULT_PYODIDE_PACKAGES.filter((p) => !present.includes(p)) };
  };
  const status = () => {
    if (!hasIndex(root)) return { index: null, python: python() };
    const m = JSON.parse(readFileSync(join(indexDir(root), MANIFEST_FILE), 'utf8')) as {
      counts?: { passages?: number };
    };
    return {
      index: { url: 'generated/index/', passages: m.counts?.passages ?? null },
      python: python(),
    };
  };
  return {
    name: 'playground:local-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = req.url?.split('?')[0] ?? '';
        if (url === '/local-assets.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(status()));
          return;
        }
        next();
      });
      // public/ is Vite's; only an index from elsewhere needs serving.
      if (indexDir(root) !== defaultDir)
        server.middlewares.use(
          toMiddleware(
            staticFiles({
              root: indexDir(root),
              prefix: '/generated/index/',
              headers: ISOLATION_HEADERS,
            }),
          ),
        );
    },
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'local-assets.json',
        source: JSON.stringify(status()),
      });
    },
    // Copied file to file once the bundle is written, not emitted: an emitted asset is held in
    // memory, and a millions-of-passages index is gigabytes. The service worker globs the output
    // later (closeBundle), so it still sees the copy.
    writeBundle(options) {
      const dir = indexDir(root);
      // public/ is copied by Vite itself; only an index from elsewhere needs copying.
      if (dir === defaultDir || !hasIndex(root)) return;
      const out = join(options.dir ?? join(root, 'dist'), 'generated', 'index');
      mkdirSync(out, { recursive: true });
      cpSync(dir, out, { recursive: true });
    },
  };
}
