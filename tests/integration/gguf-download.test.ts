/**
 * The GGUF downloader against a real HTTP server on 127.0.0.1 that serves the tiny fixture slowly
 * and honours Range: progress, cancel, resume, 404, a wrong size, and a server that ignores Range.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downloadGguf,
  memoryGgufStore,
  type DownloadProgress,
} from '../../src/engines/gguf-download.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { sendRanged } from '../helpers/ranged-file.ts';

let model: Buffer;
let server: Server;
let base: string;
const ranges: (string | undefined)[] = [];

// 16 KB every 5 ms: slow enough to cancel midway.
const send = (req: IncomingMessage, res: ServerResponse, body: Buffer, honourRange: boolean) =>
  sendRanged(req, res, body, { honourRange, chunkDelayMs: 5 });

beforeAll(async () => {
  model = await readFile('tests/fixtures/gguf/tiny-agent.gguf');
  server = createServer((req, res) => {
    ranges.push(req.headers.range);
    if (req.url === '/tiny.gguf') return send(req, res, model, true);
    if (req.url === '/no-range.gguf') return send(req, res, model, false);
    if (req.url === '/short.gguf') return send(req, res, model.subarray(0, 100_000), true);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const bytesOf = async (b: Blob) => Buffer.from(await b.arrayBuffer());

describe('downloadGguf', () => {
  it('downloads with progress up to the whole size, then serves the kept copy', async () => {
    const store = memoryGgufStore();
    const seen: DownloadProgress[] = [];
    const blob = await downloadGguf(`${base}/tiny.gguf`, {
      name: 'tiny',
      expectedBytes: model.length,
      store,
      onProgress: (p) => seen.push(p),
    });
    expect((await bytesOf(blob)).equals(model)).toBe(true);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.at(-1)).toMatchObject({ doneBytes: model.length, totalBytes: model.length });
    expect(seen.at(-1)?.fraction).toBe(1);
    const fractions = seen.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    // Complete: no second request.
    const before = ranges.length;
    const again = await downloadGguf(`${base}/tiny.gguf`, {
      name: 'tiny',
      expectedBytes: model.length,
      store,
    });
    expect(again.size).toBe(model.length);
    expect(ranges.length).toBe(before);
  });

  it('cancels, then resumes from where it stopped', async () => {
    const store = memoryGgufStore();
    const controller = new AbortController();
    const first = downloadGguf(`${base}/tiny.gguf`, {
      name: 'tiny',
      expectedBytes: model.length,
      store,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.doneBytes >= 100_000) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    const kept = await store.partialSize();
    expect(kept).toBeGreaterThanOrEqual(100_000);
    expect(kept).toBeLessThan(model.length);

    const seen: DownloadProgress[] = [];
    const blob = await downloadGguf(`${base}/tiny.gguf`, {
      name: 'tiny',
      expectedBytes: model.length,
      store,
      onProgress: (p) => seen.push(p),
    });
    expect(ranges.at(-1)).toBe(`bytes=${kept}-`);
    expect(seen[0]?.resumedFrom).toBe(kept);
    expect((await bytesOf(blob)).equals(model)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    const store = memoryGgufStore();
    const writer = await store.openAppend(0);
    await writer.write(new Uint8Array(50_000).fill(7));
    await writer.close();
    const blob = await downloadGguf(`${base}/no-range.gguf`, {
      name: 'tiny',
      expectedBytes: model.length,
      store,
    });
    expect(ranges.at(-1)).toBe('bytes=50000-');
    expect((await bytesOf(blob)).equals(model)).toBe(true);
  });

  it('names the file and the address on a 404', async () => {
    const err = await downloadGguf(`${base}/gone.gguf`, {
      name: 'Qwen2.5 0.5B',
      store: memoryGgufStore(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlaygroundError);
    expect((err as PlaygroundError).code).toBe('download_failed');
    expect((err as PlaygroundError).message).toContain(`Qwen2.5 0.5B is not at ${base}/gone.gguf`);
    expect((err as PlaygroundError).message).toContain('HTTP 404');
  });

  it('refuses a file of the wrong size and keeps nothing', async () => {
    const store = memoryGgufStore();
    const err = await downloadGguf(`${base}/short.gguf`, {
      name: 'tiny',
      expectedBytes: model.length,
      store,
    }).catch((e: unknown) => e);
    expect((err as PlaygroundError).message).toMatch(
      new RegExp(`is 100000 bytes, not the ${model.length} the model list states`),
    );
    expect(await store.partialSize()).toBe(0);
    expect(await store.complete()).toBeNull();
  });
});
