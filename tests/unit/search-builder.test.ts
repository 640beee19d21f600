import { createServer, type Server } from 'node:http';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaygroundError } from '../../src/errors.ts';
import { fetchIndexSource, loadIndex, type IndexManifest } from '../../src/search/index.ts';
import {
  buildIndexFromFiles,
  openLocalIndex,
  readPassages,
  resolveInputs,
} from '../../src/search/node/index.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/search');
const INPUTS = join(FIXTURES, 'inputs');

let work: string;
let indexDir: string;
let manifest: IndexManifest;

async function expectError(
  p: Promise<unknown>,
  code: string,
  ...mentions: string[]
): Promise<PlaygroundError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlaygroundError);
  const e = err as PlaygroundError;
  expect(e.code).toBe(code);
  for (const m of mentions) expect(e.message).toContain(m);
  return e;
}

/** A copy of the built index that a test may damage. */
async function copyIndex(): Promise<string> {
  const dir = await mkdtemp(join(work, 'copy-'));
  await cp(indexDir, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'search-builder-'));
  indexDir = join(work, 'index');
  manifest = await buildIndexFromFiles({
    inputs: [INPUTS],
    out: indexDir,
    // Tiny shards so the fixture has several of each kind and common terms have tails.
    config: { passagesPerShard: 4, termShardBytes: 256, headPostings: 2, tailPackBytes: 64 },
  });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('input detection', () => {
  it('tells every supported format from the content', async () => {
    const found = await resolveInputs([INPUTS]);
    const byName = Object.fromEntries(found.map((f) => [f.path.split('/').pop(), f.format]));
    expect(byName).toEqual({
      'articles.parquet': 'parquet',
      'dpr.tsv': 'dpr-tsv',
      'hotpot.json': 'questions-json',
      'musique.jsonl': 'questions-jsonl',
      'passage-rows.jsonl': 'passages-jsonl',
      'twowiki.jsonl': 'questions-jsonl',
      'wiki18.jsonl': 'passages-jsonl',
    });
  });

  it('rejects a file it cannot read as any format, naming it', async () => {
    await expectError(
      resolveInputs([join(FIXTURES, 'bad/notes.txt')]),
      'bad_input',
      'notes.txt',
      'Supported inputs',
    );
  });

  it('rejects a missing input', async () => {
    await expectError(resolveInputs([join(FIXTURES, 'nope.jsonl')]), 'bad_input', 'nope.jsonl');
  });

  it('reports a truncated JSONL line with its line number and leaves no index behind', async () => {
    const out = join(work, 'from-truncated');
    await expectError(
      buildIndexFromFiles({ inputs: [join(FIXTURES, 'bad/truncated.jsonl')], out }),
      'bad_input',
      'truncated.jsonl:2',
    );
    await expectError(openLocalIndex(out), 'index_missing', out);
    await expectError(openLocalIndex(`${out}.partial`), 'index_missing');
  });
});

describe('JSON array inputs', () => {
  it('are read as they stream in, not whole', async () => {
    const path = join(work, 'many-passages.json');
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      title: `Title ${i}`,
      text: `Passage number ${i} about a subject that needs a few words of text.`,
    }));
    await writeFile(path, JSON.stringify(items));
    const [input] = await resolveInputs([path]);
    if (!input) throw new Error('no input');
    expect(input.format).toBe('passages-json');
    let bytes = 0;
    let bytesAtFirst = -1;
    let count = 0;
    for await (const p of readPassages(input, { chunkWords: 100, onBytes: (n) => (bytes = n) })) {
      if (count === 0) {
        bytesAtFirst = bytes;
        expect(p).toMatchObject({ title: 'Title 0' });
      }
      count++;
    }
    expect(count).toBe(20_000);
    // The first passage came out when only the first chunk of the file had been read.
    expect(bytesAtFirst).toBeGreaterThan(0);
    expect(bytesAtFirst).toBeLessThan(input.bytes);
    expect(bytes).toBe(input.bytes);
  });

  it('refuses a truncated array, naming the file, and leaves no index behind', async () => {
    const out = join(work, 'from-truncated-json');
    await expectError(
      buildIndexFromFiles({ inputs: [join(FIXTURES, 'bad/truncated.json')], out }),
      'bad_input',
      'truncated.json',
      'not valid JSON',
    );
    await expectError(openLocalIndex(out), 'index_missing', out);
  });
});

describe('index build', () => {
  it('indexes every format and drops duplicates, including whitespace variants and across files', () => {
    // 3 Parquet chunks + 3 TSV + 2 HotpotQA + 1 MuSiQue + 3 passages + 2 2Wiki + 2 wiki-18.
    expect(manifest.counts.passages).toBe(16);
    expect(manifest.counts.duplicates).toBe(3);
    const bySource = Object.fromEntries(
      manifest.sources.map((s) => [s.path.split('/').pop(), [s.passages, s.duplicates]]),
    );
    expect(bySource['passage-rows.jsonl']).toEqual([3, 2]);
    expect(bySource['wiki18.jsonl']).toEqual([2, 1]);
    expect(bySource['articles.parquet']).toEqual([3, 0]);
  });

  it('writes a manifest and a directory whose sizes and checksums match every shard', async () => {
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.config.chunkWords).toBe(100);
    expect(manifest.counts.passageShards).toBe(4);
    expect(manifest.counts.termShards).toBeGreaterThan(3);
    expect(manifest.counts.tailPacks).toBeGreaterThan(0);
    expect(manifest.files.map((f) => f.name)).toEqual(['directory.bin']);
    const { createHash } = await import('node:crypto');
    const { gunzipSync } = await import('node:zlib');
    const { decodeDirectory } = await import('../../src/search/index-layout.ts');
    const [dirEntry] = manifest.files;
    const dirBytes = await readFile(join(indexDir, 'directory.bin'));
    expect(createHash('sha256').update(dirBytes).digest('hex')).toBe(dirEntry?.sha256);
    const directory = decodeDirectory(gunzipSync(dirBytes));
    const listed = [...directory.termShards, ...directory.tailPacks, ...directory.passageShards];
    for (const f of listed) {
      const data = await readFile(join(indexDir, f.name));
      expect(data.byteLength).toBe(f.bytes);
      expect(createHash('sha256').update(data).digest('hex')).toBe(f.sha256);
    }
    const onDiskNames = (await readdir(indexDir)).sort();
    expect(onDiskNames).toEqual(
      ['directory.bin', 'manifest.json', ...listed.map((f) => f.name)].sort(),
    );
    const onDisk = JSON.parse(
      await readFile(join(indexDir, 'manifest.json'), 'utf8'),
    ) as IndexManifest;
    expect(onDisk.counts).toEqual(manifest.counts);
  });

  it('splits Parquet articles into ~chunk-words passages, folding a short tail into the last one', async () => {
    const index = await openLocalIndex(indexDir);
    const hits = await index.search('Zanzibar spiceword5 spiceword150', 5);
    const zanzibar = hits.filter((h) => h.title === 'Zanzibar');
    expect(zanzibar.map((h) => h.id).sort()).toEqual(['101-0', '101-1']);
    // 209 words: 100, 100 and a 9-word tail that joins the second passage.
    const words = zanzibar.map((h) => h.text.split(' ').length).sort();
    expect(words).toEqual([100, 109]);
  });

  it('reads a JSON array of passages (HippoRAG corpus form), keys told apart from text', async () => {
    const out = join(work, 'from-json-array');
    const m = await buildIndexFromFiles({ inputs: [join(FIXTURES, 'extra/corpus.json')], out });
    expect(m.sources.map((s) => s.format)).toEqual(['passages-json']);
    expect(m.counts.passages).toBe(2);
    const hits = await (await openLocalIndex(out)).search('Bishop of Elmham', 1);
    expect(hits[0]?.title).toBe('Theodred II (Bishop of Elmham)');
  });

  it('honours --limit', async () => {
    const out = join(work, 'limited');
    const m = await buildIndexFromFiles({
      inputs: [join(INPUTS, 'passage-rows.jsonl')],
      out,
      limit: 2,
    });
    expect(m.counts.passages).toBe(2);
  });

  it('refuses to overwrite a folder that is not an index', async () => {
    const out = join(work, 'not-an-index');
    await cp(join(INPUTS, 'dpr.tsv'), join(out, 'keep.tsv'), { recursive: true });
    await expectError(
      buildIndexFromFiles({ inputs: [INPUTS], out }),
      'bad_input',
      'not a search index',
    );
    expect(await readFile(join(out, 'keep.tsv'), 'utf8')).toContain('Aretha');
  });
});

describe('search over the built index', () => {
  it('returns passages from each input format, best first, with similarities in [0, 1]', async () => {
    const index = await openLocalIndex(indexDir);
    const cases: [string, string][] = [
      ['Where did Aretha Franklin die?', 'Aretha Franklin'],
      ["Arthur's Magazine Philadelphia periodical", "Arthur's Magazine"],
      ['capital of the Andaman and Nicobar Islands', 'Port Blair'],
      ['Who directed West of Shanghai?', 'West of Shanghai'],
      ['James Charles Mathew burial', 'James Charles Mathew'],
    ];
    for (const [query, title] of cases) {
      const hits = await index.search(query, 3);
      expect(hits[0]?.title, query).toBe(title);
      for (const h of hits) {
        expect(h.score).toBeGreaterThan(0);
        expect(h.score).toBeLessThan(1);
        expect(h.contents).toBe(`"${h.title}"\n${h.text}`);
      }
      const scores = hits.map((h) => h.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
  });

  it('does not AND the words: a query with a word the corpus lacks still finds the others', async () => {
    const index = await openLocalIndex(indexDir);
    const hits = await index.search('Denise Levertov xylophonequark', 3);
    expect(hits[0]?.title).toBe('Denise Levertov');
    const full = await index.search('Denise Levertov', 1);
    // The unknown word costs similarity: the score reflects how much of the query matched.
    expect(hits[0]?.score).toBeLessThan(full[0]?.score ?? 0);
  });

  it('returns nothing, not an error, for unknown words and empty queries', async () => {
    const index = await openLocalIndex(indexDir);
    expect(await index.search('qwertyuiop', 3)).toEqual([]);
    expect(await index.search('', 3)).toEqual([]);
    expect(await index.search('?!', 3)).toEqual([]);
  });
});

describe('damaged indexes', () => {
  it('index_missing names the folder and the build command', async () => {
    await expectError(
      openLocalIndex(join(work, 'nowhere')),
      'index_missing',
      'nowhere',
      'playground index build',
    );
  });

  it('index_corrupt for a truncated manifest', async () => {
    const dir = await copyIndex();
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    await writeFile(join(dir, 'manifest.json'), text.slice(0, text.length / 2));
    await expectError(
      openLocalIndex(dir),
      'index_corrupt',
      'manifest.json',
      'playground index build',
    );
  });

  it('index_corrupt for a truncated directory, naming it', async () => {
    const dir = await copyIndex();
    const data = await readFile(join(dir, 'directory.bin'));
    await writeFile(join(dir, 'directory.bin'), data.subarray(0, data.byteLength - 7));
    await expectError(openLocalIndex(dir), 'index_corrupt', 'directory.bin', 'truncated');
  });

  it('index_corrupt, naming the term shard, when a query needs a damaged one (same size: checksum)', async () => {
    const dir = await copyIndex();
    const index = await openLocalIndex(dir);
    // Every term shard altered in place: whichever holds "aretha" is caught by its checksum.
    for (let i = 0; i < manifest.counts.termShards; i++) {
      const name = `terms-${String(i).padStart(6, '0')}.bin`;
      const data = await readFile(join(dir, name));
      const last = data.byteLength - 1;
      data.writeUInt8(data.readUInt8(last) ^ 0xff, last);
      await writeFile(join(dir, name), data);
    }
    const err = await expectError(index.search('Aretha', 1), 'index_corrupt', 'checksum');
    expect(err.message).toMatch(/terms-\d{6}\.bin/);
  });

  it('index_corrupt for a missing tail pack, only when a query reads that tail', async () => {
    const dir = await copyIndex();
    await rm(join(dir, 'tails-000000.bin'));
    const index = await openLocalIndex(dir);
    // No query touched the pack yet: opening succeeds, a query on common terms fails, named.
    let failed: unknown;
    for (const q of ['film', 'american', 'born', 'city', 'new', 'first', 'album', 'river']) {
      failed = await index.search(q, 3).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (failed) break;
    }
    expect(failed).toBeInstanceOf(PlaygroundError);
    expect((failed as PlaygroundError).code).toBe('index_corrupt');
    expect((failed as PlaygroundError).message).toContain('tails-000000.bin');
  });

  it('index_corrupt when a damaged passage shard is first needed, and search does not cache the failure', async () => {
    const dir = await copyIndex();
    const index = await openLocalIndex(dir);
    const [hit] = await index.rank('Zanzibar', 1);
    expect(hit).toBeDefined();
    const shard = `passages-${String(Math.floor((hit?.doc ?? 0) / 4)).padStart(6, '0')}.bin`;
    const good = await readFile(join(dir, shard));
    await writeFile(join(dir, shard), good.subarray(0, 10));
    await expectError(index.search('Zanzibar', 1), 'index_corrupt', shard);
    await writeFile(join(dir, shard), good);
    expect((await index.search('Zanzibar', 1))[0]?.title).toBe('Zanzibar');
  });

  it('index_mismatch for another format version or tokenizer', async () => {
    for (const [field, value] of [
      ['formatVersion', 1],
      ['tokenizerVersion', 99],
    ] as const) {
      const dir = await copyIndex();
      const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<
        string,
        unknown
      > & {
        config: Record<string, unknown>;
      };
      if (field === 'formatVersion') m.formatVersion = value;
      else m.config[field] = value;
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
      await expectError(openLocalIndex(dir), 'index_mismatch', dir, 'playground index build');
    }
  });

  it('index_mismatch for a JSON file that is not our manifest', async () => {
    const dir = await copyIndex();
    await writeFile(join(dir, 'manifest.json'), '{"name": "something else"}');
    await expectError(openLocalIndex(dir), 'index_mismatch', 'manifest.json');
  });
});

describe('loading over HTTP (the browser path)', () => {
  let server: Server;
  let base: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? '/').replace(/^\/idx\//, ''));
      requested.push(name);
      readFile(join(indexDir, name)).then(
        (data) => res.writeHead(200).end(data),
        () => res.writeHead(404).end('not found'),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/idx`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads with fetch and fetches only the passage shards that hold results', async () => {
    const progress: number[] = [];
    let total = 0;
    const index = await loadIndex(fetchIndexSource(base), {
      onProgress: (p) => {
        progress.push(p.loadedBytes);
        total = p.totalBytes;
      },
    });
    expect(progress.at(-1)).toBe(total);
    // Opening reads the manifest and the directory only (at once: the directory is checked
    // against the manifest when both have arrived).
    expect([...requested].sort()).toEqual(['directory.bin', 'manifest.json']);
    const hits = await index.search('Aretha Franklin Detroit', 1);
    expect(hits[0]?.title).toBe('Aretha Franklin');
    const fetched = requested.slice(2);
    // One term shard per distinct shard of the query's terms, one passage shard for the hit.
    expect(fetched.filter((n) => n.startsWith('passages-')).length).toBe(1);
    const termShards = fetched.filter((n) => n.startsWith('terms-'));
    expect(termShards.length).toBeGreaterThan(0);
    expect(termShards.length).toBeLessThanOrEqual(3);
    expect(termShards.length).toBeLessThan(manifest.counts.termShards);
    // Cached: the same query again fetches nothing.
    const before = requested.length;
    await index.search('Aretha Franklin Detroit', 1);
    expect(requested.length).toBe(before);
  });

  it('a URL without an index is index_missing', async () => {
    await expectError(
      loadIndex(fetchIndexSource(`${base}/nothing-here`)),
      'index_missing',
      'nothing-here',
    );
  });
});
