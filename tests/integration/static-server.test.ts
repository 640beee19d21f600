/**
 * The one static-file server (build/serve/), over real HTTP on 127.0.0.1: types, isolation
 * headers, HEAD, Range, revalidation, and attacks on the folder boundary (../ in every spelling,
 * symbolic links out of the root), asserting that nothing outside the root is ever sent.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS } from '../../build/serve/isolation-headers.ts';
import { startStaticServer, type StaticServer } from '../../build/serve/static-server.ts';
import { rawRequest } from '../helpers/raw-request.ts';

const SECRET = 'do not serve';
const BIN = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

let work: string;
let site: StaticServer;
let mounted: StaticServer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'static-server-'));
  const root = join(work, 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'export const x = 1;');
  writeFileSync(join(root, 'assets', 'app.mjs'), 'export const y = 2;');
  writeFileSync(join(root, 'lib.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(root, 'data.json'), '{"a":1}');
  writeFileSync(join(root, 'shard.bin'), BIN);
  writeFileSync(join(root, 'sub', 'index.html'), 'sub index');
  writeFileSync(join(root, 'inside.txt'), 'inside');
  writeFileSync(join(work, 'secret.txt'), SECRET);
  mkdirSync(join(work, 'outside'));
  writeFileSync(join(work, 'outside', 'secret.txt'), SECRET);
  symlinkSync(join(work, 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(join(work, 'outside'), join(root, 'dir-out'));
  symlinkSync(join(root, 'inside.txt'), join(root, 'link-in.txt'));
  site = await startStaticServer({ root, index: 'index.html', headers: ISOLATION_HEADERS });
  mounted = await startStaticServer({
    root,
    prefix: '/idx/',
    only: (p) => p !== 'data.json',
    pages: { '/': { type: 'text/html', body: '<!doctype html><title>bench</title>' } },
  });
});

afterAll(async () => {
  await site?.close();
  await mounted?.close();
  rmSync(work, { recursive: true, force: true });
});

function expectIsolated(res: Response, what: string): void {
  expect(res.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy'), what).toBe('require-corp');
  expect(res.headers.get('cross-origin-resource-policy'), what).toBe('same-origin');
}

describe('static-file server', () => {
  it('serves files with their content type and the isolation headers', async () => {
    const cases: [string, RegExp][] = [
      ['', /^text\/html/],
      ['assets/app.js', /^text\/javascript/],
      ['assets/app.mjs', /^text\/javascript/],
      ['lib.wasm', /^application\/wasm$/],
      ['data.json', /^application\/json/],
      ['shard.bin', /^application\/octet-stream$/],
      ['sub/', /^text\/html/],
    ];
    for (const [path, type] of cases) {
      const res = await fetch(site.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expectIsolated(res, path);
      await res.arrayBuffer();
    }
    expect(await (await fetch(`${site.url}sub/`)).text()).toBe('sub index');
    expect(Buffer.from(await (await fetch(`${site.url}shard.bin`)).arrayBuffer())).toEqual(BIN);
  });

  it('answers what is not there with a JSON 404 that carries the headers too', async () => {
    for (const path of ['nothing.js', 'sub', 'assets/', 'assets/nothing/x.js']) {
      const res = await fetch(site.url + path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/json');
      expect(((await res.json()) as { code: string }).code, path).toBe('not_found');
      expectIsolated(res, path);
    }
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await fetch(`${site.url}shard.bin`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(BIN.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(await res.text()).toBe('');
  });

  it('answers Range requests with 206, and 416 past the end', async () => {
    const part = await fetch(`${site.url}shard.bin`, { headers: { Range: 'bytes=250-259' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 250-259/${BIN.length}`);
    expect(part.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(BIN.subarray(250, 260));

    const from = await fetch(`${site.url}shard.bin`, { headers: { Range: 'bytes=990-' } });
    expect(from.status).toBe(206);
    expect(Buffer.from(await from.arrayBuffer())).toEqual(BIN.subarray(990));

    const suffix = await fetch(`${site.url}shard.bin`, { headers: { Range: 'bytes=-4' } });
    expect(suffix.status).toBe(206);
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(BIN.subarray(BIN.length - 4));

    const past = await fetch(`${site.url}shard.bin`, {
      headers: { Range: `bytes=${BIN.length}-` },
    });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${BIN.length}`);
    expectIsolated(past, '416');
    expect(((await past.json()) as { code: string }).code).toBe('bad_input');
  });

  it('sends ETag and Last-Modified, and 304 to a matching revalidation', async () => {
    const first = await fetch(`${site.url}data.json`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('last-modified')).toBeTruthy();
    expect(first.headers.get('cache-control')).toBe('no-cache');
    await first.text();
    // Raw, since fetch marks a request with its own If-None-Match as "no-cache".
    const again = await rawRequest(site.url, '/data.json', 'GET', { 'If-None-Match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    // A stale If-Range gets the whole file, never a slice of another version.
    const stale = await fetch(`${site.url}shard.bin`, {
      headers: { Range: 'bytes=0-9', 'If-Range': '"other"' },
    });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(BIN.length);
  });

  it('refuses path traversal in every spelling, and sends nothing from outside', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2E%2E/%2e%2e/secret.txt',
      '/..%2Fsecret.txt',
      '/..%5Csecret.txt',
      '/assets%2F..%2F..%2Fsecret.txt',
      '/inside.txt%00.json',
      '/%E0%A4%A',
      '//secret.txt',
    ];
    for (const p of attempts) {
      const res = await rawRequest(site.url, p);
      expect(res.status, p).toBe(400);
      expect(res.type, p).toBe('application/json');
      expect(res.body, p).not.toContain(SECRET);
    }
    const mountedTraversal = await rawRequest(mounted.url, '/idx/%2e%2e/%2e%2e/secret.txt');
    expect(mountedTraversal.status).toBe(400);
    expect(mountedTraversal.body).not.toContain(SECRET);
  });

  it('follows no symbolic link out of the root, and serves one that stays inside', async () => {
    for (const p of ['/link-out.txt', '/dir-out/secret.txt']) {
      const res = await rawRequest(site.url, p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toContain(SECRET);
    }
    for (const method of ['HEAD', 'POST']) {
      const res = await rawRequest(site.url, '/link-out.txt', method);
      expect(res.status, method).toBe(404);
    }
    expect(await (await fetch(`${site.url}link-in.txt`)).text()).toBe('inside');
  });

  it('refuses writes', async () => {
    const res = await fetch(`${site.url}inside.txt`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await (await fetch(`${site.url}inside.txt`)).text()).toBe('inside');
  });

  it('serves a folder under a prefix beside fixed pages, and counts the file bytes sent', async () => {
    mounted.resetBytesSent();
    const page = await fetch(mounted.url);
    expect(await page.text()).toContain('<title>bench</title>');
    expect((await fetch(`${mounted.url}shard.bin`)).status).toBe(404);
    const shard = await fetch(`${mounted.url}idx/shard.bin`);
    expect((await shard.arrayBuffer()).byteLength).toBe(BIN.length);
    const part = await fetch(`${mounted.url}idx/shard.bin`, { headers: { Range: 'bytes=0-99' } });
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    // `only` keeps a file of the folder out.
    expect((await fetch(`${mounted.url}idx/data.json`)).status).toBe(404);
    expect(mounted.bytesSent()).toBe(BIN.length + 100);
  });
});
