/**
 * `playground setup --corpus NAME` against a local server on 127.0.0.1 that plays the hub (Range
 * requests, the published sha256 as the LFS etag) with a small gzip JSONL in wiki-18's form.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openLocalIndex } from '../../src/search/node/index.ts';
import { runCli } from '../helpers/run-cli.ts';

const WIKI18_PATH = '/datasets/PeterJinGo/wiki-18-corpus/resolve/main/wiki-18.jsonl.gz';

const rows = Array.from({ length: 400 }, (_, i) => ({
  id: String(i),
  contents: `"Article ${i}"\nArticle ${i} is about topic${i} and ${'filler '.repeat(60)}number ${i}.`,
}));
rows.push({ id: 'x', contents: '"Aretha Franklin"\nAretha Franklin was an American singer.' });
const body = gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const sha = createHash('sha256').update(body).digest('hex');

let server: Server;
let base: string;
let work: string;
const seen: IncomingHttpHeaders[] = [];
/** Bytes after which the next response is cut off (a dropped connection). */
let cutAt: number | undefined;
let etag = sha;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'setup-corpus-'));
  server = createServer((req, res) => {
    if (req.url !== WIKI18_PATH) {
      res.writeHead(404).end();
      return;
    }
    seen.push(req.headers);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const headers = { 'x-linked-etag': `"${etag}"`, 'accept-ranges': 'bytes' };
    const rest = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': String(rest.byteLength),
      ...(range && { 'content-range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}` }),
    });
    if (cutAt !== undefined) {
      res.write(rest.subarray(0, cutAt));
      cutAt = undefined;
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  etag = sha;
  cutAt = undefined;
});

async function setup(cache: string, ...args: string[]) {
  process.env.PLAYGROUND_SETUP_CACHE_DIR = join(work, cache);
  try {
    return await runCli(['setup', '--corpus-base-url', base, ...args]);
  } finally {
    delete process.env.PLAYGROUND_SETUP_CACHE_DIR;
  }
}

describe('playground setup --corpus', () => {
  it('lists the catalogue with source, licence, size and passages', async () => {
    const r = await runCli(['setup', '--list-corpora']);
    expect(r.code).toBe(0);
    for (const name of ['hotpotqa', 'simplewiki', 'wiki18']) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain('21,015,324 passages');
    expect(r.stdout).toContain('CC BY-SA');
    expect(r.stdout).toContain('huggingface.co/datasets/wikimedia/wikipedia');
  });

  it('resumes a dropped download with a Range request, checks the sha256, builds the index', async () => {
    const out = join(work, 'index-resumed');
    cutAt = Math.floor(body.byteLength / 2);
    const first = await setup('cache-resume', '--corpus', 'wiki18', '--index-out', out);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain('resumes where it stopped');
    expect(seen[0]?.range).toBeUndefined();

    const second = await setup('cache-resume', '--corpus', 'wiki18', '--index-out', out);
    expect(second.code, second.stderr).toBe(0);
    // The second attempt asked only for what the first did not keep.
    const ranges = seen.map((h) => h.range).filter((r) => r !== undefined);
    expect(ranges, second.stderr).toHaveLength(1);
    expect(ranges[0]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(second.stderr).toMatch(/resumed at [\d,]+\), sha256 ok/);
    expect(second.stderr).toMatch(/ETA/);
    const kept = await readFile(join(work, 'cache-resume', 'corpus-wiki18-wiki-18.jsonl.gz'));
    expect(createHash('sha256').update(kept).digest('hex')).toBe(sha);
    const index = await openLocalIndex(out);
    expect(index.size).toBe(rows.length);
    expect((await index.search('Aretha Franklin singer', 1))[0]?.title).toBe('Aretha Franklin');
  });

  it('refuses a download whose sha256 differs from the one the hub publishes', async () => {
    etag = 'a'.repeat(64);
    const r = await setup('cache-bad', '--corpus', 'wiki18', '--index-out', join(work, 'bad'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('checksum mismatch');
  });

  it('names the known corpora for an unknown one', async () => {
    const r = await setup('cache-x', '--corpus', 'enwiki-full');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown corpus "enwiki-full"');
    expect(r.stderr).toContain('hotpotqa, simplewiki, wiki18');
  });
});
