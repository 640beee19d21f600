/**
 * The service worker precaches a small built-in index (search works offline after one visit) but
 * not a large one: a first visit must not download a million-passage index. A real `vite build`
 * with a 65 MB index folder (a sparse file) and no other change.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../e2e/helpers/app-server.ts';

const work = mkdtempSync(join(tmpdir(), 'sw-index-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the service worker and a large index', () => {
  it('leaves an index over 64 MB out of the precache, and still serves it', async () => {
    const index = join(work, 'index');
    mkdirSync(index);
    writeFileSync(join(index, 'manifest.json'), JSON.stringify({ counts: { passages: 5e6 } }));
    writeFileSync(join(index, 'terms-000000.bin'), '');
    truncateSync(join(index, 'terms-000000.bin'), 65 * 2 ** 20);
    const dist = join(work, 'dist');
    await buildApp(dist, index);

    const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
    expect(sw).toContain('local-assets.json');
    expect(sw).not.toContain('generated/index/');
    // Served per query instead: the files are in the build, and the app knows the index exists.
    expect(readFileSync(join(dist, 'generated/index/terms-000000.bin')).byteLength).toBe(
      65 * 2 ** 20,
    );
    const assets = JSON.parse(readFileSync(join(dist, 'local-assets.json'), 'utf8')) as {
      index: { passages: number } | null;
    };
    expect(assets.index?.passages).toBe(5e6);
  }, 240_000);
});
