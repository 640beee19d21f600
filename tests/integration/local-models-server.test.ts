import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModelFiles } from '../../build/serve/local-models.ts';
import { toMiddleware } from '../../build/serve/static-files.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { assertModelFolder, httpFolderAccess } from '../../src/engines/model-folder.ts';

const ID = 'agent-distilled-Qwen2.5-1.5B-Instruct-q4f16_1-MLC';
const BIG = 48 * 1024 * 1024;
const SPA_PAGE = '<!doctype html><title>app</title>';

let root: string;
let server: Server;
let base: string;
let bigSha: string;

function writeModel(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const shard = Buffer.alloc(4096);
  for (let i = 0; i < shard.length; i++) shard[i] = i % 251;
  writeFileSync(join(folder, 'params_shard_0.bin'), shard);
  writeFileSync(
    join(folder, 'tensor-cache.json'),
    JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: 4096, records: [] }] }),
  );
  writeFileSync(
    join(folder, 'mlc-chat-config.json'),
    JSON.stringify({
      vocab_size: 10,
      context_window_size: 4096,
      conv_template: { name: 'qwen2' },
      tokenizer_files: ['tokenizer.json'],
    }),
  );
  writeFileSync(join(folder, 'tokenizer.json'), '{}');
  writeFileSync(join(folder, 'notes.txt'), 'hello');
  mkdirSync(join(folder, 'sub'));
  writeFileSync(join(folder, 'lib.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'local-models-'));
  const folder = join(root, 'models', ID, 'resolve', 'main');
  writeModel(folder);
  // A big shard, written in pieces so the test itself never holds it twice.
  const big = join(folder, 'params_shard_big.bin');
  const chunk = Buffer.alloc(1024 * 1024);
  const hash = createHash('sha256');
  writeFileSync(big, '');
  for (let i = 0; i < BIG / chunk.length; i++) {
    chunk.fill(i % 256);
    writeFileSync(big, chunk, { flag: 'a' });
    hash.update(chunk);
  }
  bigSha = hash.digest('hex');
  writeFileSync(join(root, 'secret.txt'), 'do not serve');
  writeFileSync(join(root, 'models', 'registry.json'), '{}');
  symlinkSync(join(root, 'secret.txt'), join(folder, 'secret-link.txt'));
  symlinkSync(root, join(folder, 'outside-dir'));
  symlinkSync(join(folder, 'notes.txt'), join(folder, 'notes-link.txt'));
  symlinkSync(join(root, 'secret.txt'), join(root, 'models', 'link-out.json'));
  const mw = toMiddleware(localModelFiles(join(root, 'models')));
  // Behind it, what Vite's SPA fallback does: the app page for any unknown path.
  server = createServer((req, res) =>
    mw(req, res, () => {
      res.setHeader('Content-Type', 'text/html');
      res.end(SPA_PAGE);
    }),
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(root, { recursive: true, force: true });
});

const url = (p: string) => `${base}/models/${ID}/resolve/main/${p}`;

describe('local models middleware over real HTTP', () => {
  it('serves present files with their type, bytes and isolation headers', async () => {
    const cases: [string, string][] = [
      ['mlc-chat-config.json', 'application/json; charset=utf-8'],
      ['lib.wasm', 'application/wasm'],
      ['params_shard_0.bin', 'application/octet-stream'],
      ['notes.txt', 'text/plain; charset=utf-8'],
    ];
    for (const [file, type] of cases) {
      const res = await fetch(url(file));
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(type);
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
    const shard = new Uint8Array(await (await fetch(url('params_shard_0.bin'))).arrayBuffer());
    expect(shard.length).toBe(4096);
    expect(shard[300]).toBe(300 % 251);
    expect(await (await fetch(url('notes.txt'))).text()).toBe('hello');
  });

  it('answers a missing file with a JSON 404, not the app page', async () => {
    const res = await fetch(url('params_shard_9.bin'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('not_found');
    expect(body.message).toMatch(/params_shard_9\.bin/);
    const noModel = await fetch(`${base}/models/nope-q4f16_1/resolve/main/mlc-chat-config.json`);
    expect(noModel.status).toBe(404);
    expect(await noModel.text()).not.toContain('<!doctype');
    // A directory is not a file either.
    expect((await fetch(url('sub'))).status).toBe(404);
  });

  it('leaves files of the models folder and paths outside it to the app', async () => {
    const res = await fetch(`${base}/models/registry.json`);
    expect(await res.text()).toBe(SPA_PAGE);
    expect(await (await fetch(`${base}/index.html`)).text()).toBe(SPA_PAGE);
  });

  it('answers every other missing path under /models/ with a JSON 404', async () => {
    for (const p of [
      '/models/',
      '/models/nothing-here.json',
      `/models/${ID}`,
      `/models/${ID}/config.json`,
      `/models/${ID}/resolve/main/`,
      `/models/${ID}/resolve/other/mlc-chat-config.json`,
      '/models/link-out.json',
    ]) {
      const res = await rawRequest(base, p);
      expect(res.status, p).toBe(404);
      expect(res.type, p).toBe('application/json');
      expect(res.body, p).not.toContain('<!doctype');
      expect(res.body, p).not.toContain('do not serve');
    }
  });

  it('follows no symbolic link out of a model folder', async () => {
    for (const p of ['secret-link.txt', 'outside-dir/secret.txt']) {
      const res = await rawRequest(base, `/models/${ID}/resolve/main/${p}`);
      expect(res.status, p).toBe(404);
      expect(res.type, p).toBe('application/json');
      expect(res.body, p).not.toContain('do not serve');
    }
    // A link that stays inside the folder is the folder's own file.
    expect(await (await fetch(url('notes-link.txt'))).text()).toBe('hello');
  });

  it('refuses path traversal in every spelling', async () => {
    const attempts = [
      `/models/${ID}/resolve/main/../../../../secret.txt`,
      `/models/${ID}/resolve/main/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt`,
      `/models/${ID}/resolve/main/..%2F..%2F..%2F..%2Fsecret.txt`,
      `/models/..%2Fsecret.txt/resolve/main/x`,
      `/models/${ID}/resolve/main/..%5C..%5Csecret.txt`,
      `/models/${ID}/resolve/main/a%00.json`,
      `/models/${ID}/resolve/main/%E0%A4%A`,
    ];
    for (const p of attempts) {
      const res = await rawRequest(base, p);
      expect(res.status, p).toBe(400);
      expect(res.body, p).not.toContain('do not serve');
      expect(res.type, p).toBe('application/json');
    }
  });

  it('streams a large file intact and answers HEAD and Range requests', async () => {
    const res = await fetch(url('params_shard_big.bin'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(BIG));
    const hash = createHash('sha256');
    let received = 0;
    let chunks = 0;
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      received += value.length;
      chunks += 1;
    }
    expect(received).toBe(BIG);
    expect(hash.digest('hex')).toBe(bigSha);
    // Streamed: many chunks, not one buffer.
    expect(chunks).toBeGreaterThan(10);

    const head = await fetch(url('params_shard_big.bin'), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(BIG));
    expect(await head.text()).toBe('');

    const part = await fetch(url('params_shard_big.bin'), {
      headers: { Range: `bytes=${3 * 1024 * 1024 - 2}-${3 * 1024 * 1024 + 1}` },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(
      `bytes ${3 * 1024 * 1024 - 2}-${3 * 1024 * 1024 + 1}/${BIG}`,
    );
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([2, 2, 3, 3]);
    const bad = await fetch(url('params_shard_big.bin'), { headers: { Range: `bytes=${BIG}-` } });
    expect(bad.status).toBe(416);
    await bad.arrayBuffer();
  });

  it('survives a client that hangs up mid-download', async () => {
    const ctrl = new AbortController();
    const res = await fetch(url('params_shard_big.bin'), { signal: ctrl.signal });
    const reader = res.body?.getReader();
    await reader?.read();
    ctrl.abort();
    await reader?.cancel().catch(() => undefined);
    const again = await fetch(url('notes.txt'));
    expect(await again.text()).toBe('hello');
  });

  it('refuses writes', async () => {
    const res = await fetch(url('notes.txt'), { method: 'PUT', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('lists local models with their validation, and the folder validates over HTTP', async () => {
    const res = await fetch(`${base}/models/local.json`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { models: { id: string; ok: boolean; libs: string[] }[] };
    expect(body.models).toEqual([{ id: ID, ok: true, problems: [], libs: ['lib.wasm'] }]);
    const check = await assertModelFolder(httpFolderAccess(url('')), `models/${ID}`);
    expect(check.shards).toBe(1);
    const missing = httpFolderAccess(`${base}/models/absent-q4f16_1/resolve/main/`);
    await expect(assertModelFolder(missing, 'models/absent')).rejects.toThrow(
      /mlc-chat-config\.json is missing/,
    );
  });
});
