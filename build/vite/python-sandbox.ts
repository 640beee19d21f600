/**
 * Build-time half of the browser wall (docs/sandbox-security.md, "Browser"). The sandbox frame
 * has an opaque origin and no network, so it cannot load scripts from the app: its own script is
 * inlined into its srcdoc (allowed by a CSP hash) and the Pyodide worker starts from a blob: URL.
 * This Vite plugin bundles both entry points into self-contained scripts (classic scripts: Chromium
 * refuses module workers from an opaque origin's blob: URLs) and serves them, in dev and in the
 * build alike, as the virtual module `virtual:python-sandbox`.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { rawTextPlugin } from '../../src/python/esbuild-raw-text.ts';

const VIRTUAL_ID = 'virtual:python-sandbox';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;

async function bundle(entry: string): Promise<{ code: string; inputs: string[] }> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    // Pyodide's Node code paths, never taken in a browser.
    external: ['node:*', 'ws'],
    logLevel: 'error',
    plugins: [rawTextPlugin],
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error(`esbuild produced nothing for ${entry}`);
  const inputs = Object.keys(result.metafile.inputs).map((p) =>
    resolve(p.replace(/^raw-text:/, '')),
  );
  return { code, inputs };
}

export function pythonSandboxBundle(root: string): Plugin {
  return {
    name: 'playground:python-sandbox',
    resolveId: (id) => (id === VIRTUAL_ID ? RESOLVED_ID : null),
    async load(id) {
      if (id !== RESOLVED_ID) return null;
      const [frame, worker] = await Promise.all([
        bundle(resolve(root, 'src/workers/python-frame.ts')),
        bundle(resolve(root, 'src/workers/python.worker.ts')),
      ]);
      for (const f of [...frame.inputs, ...worker.inputs]) this.addWatchFile(f);
      // The frame script sits inside <script>…</script> in the srcdoc.
      if (/<\/script/i.test(frame.code))
        throw new Error('the sandbox frame script contains </script');
      const hash = createHash('sha256').update(frame.code).digest('base64');
      return [
        `export const FRAME_SCRIPT = ${JSON.stringify(frame.code)};`,
        `export const FRAME_SCRIPT_HASH = ${JSON.stringify(`sha256-${hash}`)};`,
        `export const WORKER_SCRIPT = ${JSON.stringify(worker.code)};`,
      ].join('\n');
    },
  };
}
