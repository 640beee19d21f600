/**
 * `vite preview` with the project's vite.config.ts serves the built app through the shared
 * static-file handler (build/vite/app-files.ts), not Vite's own: the isolation headers, Range,
 * and no symbolic link followed out of the build folder.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SECRET = 'do not serve';

let work: string;
let server: PreviewServer;
let base: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vite-preview-'));
  const dist = join(work, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>built</title>');
  writeFileSync(join(dist, 'assets', 'shard.bin'), Buffer.alloc(100, 7));
  writeFileSync(join(work, 'secret.txt'), SECRET);
  symlinkSync(join(work, 'secret.txt'), join(dist, 'assets', 'leak.txt'));
  server = await preview({
    configFile: join(ROOT, 'vite.config.ts'),
    root: ROOT,
    logLevel: 'silent',
    build: { outDir: dist },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const address = server.httpServer.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('vite preview', () => {
  it('serves the page and its files with the isolation headers and Range', async () => {
    const page = await fetch(`${base}/`);
    expect(await page.text()).toContain('<title>built</title>');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const part = await fetch(`${base}/assets/shard.bin`, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(part.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(Buffer.alloc(10, 7));
  });

  it('follows no symbolic link out of the build folder', async () => {
    const res = await fetch(`${base}/assets/leak.txt`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(SECRET);
  });

  it('answers /models/local.json from the models folder', async () => {
    const res = await fetch(`${base}/models/local.json`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(Array.isArray(((await res.json()) as { models: unknown }).models)).toBe(true);
  });
});
