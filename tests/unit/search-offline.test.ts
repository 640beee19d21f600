import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaygroundError } from '../../src/errors.ts';
import {
  downloadIndex,
  fetchIndexSource,
  loadIndex,
  planOfflineCopy,
} from '../../src/search/index.ts';
import { buildIndexFromFiles, dirIndexStore } from '../../src/search/node/index.ts';

const INPUTS = join(import.meta.dirname, '../fixtures/search/inputs');

let work: string;
let indexDir: string;
let server: Server;
let base: string;
const requested: string[] = [];
/** Requests after which the server drops connections (a dropped network), Infinity: never. */
let dropAfter = Infinity;
/** A file the server alters on the way (a corrupting proxy). */
let alter: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'search-offline-'));
  indexDir = join(work, 'index');
  await buildIndexFromFiles({
    inputs: [INPUTS],
    out: indexDir,
    config: { passagesPerShard: 4, termShardBytes: 256, headPostings: 2, tailPackBytes: 64 },
  });
  server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').replace(/^\/idx\//, ''));
    requested.push(name);
    if (requested.length > dropAfter) {
      req.socket.destroy();
      return;
    }
    readFile(join(indexDir, name)).then(
      (data) => {
        if (name === alter) data[data.byteLength - 1] = (data[data.byteLength - 1] ?? 0) ^ 0xff;
        res.writeHead(200).end(data);
      },
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/idx/`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(work, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<PlaygroundError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlaygroundError);
  return err as PlaygroundError;
}

describe('keep the index for offline use', () => {
  it('tells the size before starting, downloads everything, then answers from the copy alone', async () => {
    dropAfter = Infinity;
    const store = await dirIndexStore(join(work, 'copy'));
    const plan = await planOfflineCopy(fetchIndexSource(base), store);
    const onDisk = await readdir(indexDir);
    expect(plan.files.map((f) => f.name).sort()).toEqual(onDisk.sort());
    expect(plan.storedBytes).toBe(0);
    expect(plan.complete).toBe(false);
    const progress: number[] = [];
    await downloadIndex(fetchIndexSource(base), store, {
      onProgress: (p) => progress.push(p.doneBytes),
    });
    expect(progress.at(-1)).toBe(plan.totalBytes);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    // No network from here on: every read comes from the copy.
    const before = requested.length;
    const index = await loadIndex(store);
    const hits = await index.search('Where did Aretha Franklin die?', 3);
    expect(hits[0]?.title).toBe('Aretha Franklin');
    expect(requested.length).toBe(before);
    expect((await planOfflineCopy(fetchIndexSource(base), store)).complete).toBe(true);
  });

  it('resumes an interrupted download where it stopped, and a partial copy does not open', async () => {
    const store = await dirIndexStore(join(work, 'resumed'));
    requested.length = 0;
    dropAfter = 8;
    const err = await failure(downloadIndex(fetchIndexSource(base), store));
    expect(err.code).toBe('index_missing');
    // A dropped connection is nothing to rebuild: the message says to try again.
    expect(err.message).toContain('Check the connection');
    expect(err.message).not.toContain('playground index build');
    dropAfter = Infinity;
    const plan = await planOfflineCopy(fetchIndexSource(base), store);
    expect(plan.storedBytes).toBeGreaterThan(0);
    expect(plan.complete).toBe(false);
    // The manifest is written last: the partial copy is not an index yet.
    expect((await failure(loadIndex(store))).code).toBe('index_missing');
    const kept = new Set(await readdir(join(work, 'resumed')));
    requested.length = 0;
    await downloadIndex(fetchIndexSource(base), store);
    // Only what was missing is fetched again (plus the manifest and directory to plan).
    for (const name of requested.filter((n) => n !== 'manifest.json' && n !== 'directory.bin'))
      expect(kept.has(name), name).toBe(false);
    const index = await loadIndex(store);
    expect((await index.search('Port Blair capital', 1))[0]?.title).toBe('Port Blair');
  });

  it('stops before downloading when the space is short, saying how much is needed', async () => {
    const store = await dirIndexStore(join(work, 'small'), 1000);
    const plan = await planOfflineCopy(fetchIndexSource(base), store);
    requested.length = 0;
    const err = await failure(downloadIndex(fetchIndexSource(base), store));
    expect(err.code).toBe('quota_exceeded');
    expect(err.message).toContain(`needs ${Math.ceil(plan.totalBytes / 1e6)} MB more space`);
    expect(await readdir(join(work, 'small'))).toEqual([]);
    expect(requested.every((n) => n === 'manifest.json' || n === 'directory.bin')).toBe(true);
  });

  it('refuses a shard damaged on the way, naming it, and keeps nothing of it', async () => {
    const store = await dirIndexStore(join(work, 'damaged'));
    alter = 'terms-000001.bin';
    const err = await failure(downloadIndex(fetchIndexSource(base), store));
    alter = undefined;
    expect(err.code).toBe('index_corrupt');
    expect(err.message).toContain('terms-000001.bin');
    expect(await readdir(join(work, 'damaged'))).not.toContain('terms-000001.bin');
  });
});
