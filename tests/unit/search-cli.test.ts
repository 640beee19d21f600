import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

const INPUTS = join(import.meta.dirname, '../fixtures/search/inputs');

let work: string;
let indexDir: string;

/** Runs the CLI and captures what it printed. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'search-cli-'));
  indexDir = join(work, 'index');
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('playground index build', () => {
  it('builds from a folder, reporting formats and progress on stderr and a summary on stdout', async () => {
    const r = await runCli(['index', 'build', '--input', INPUTS, '--out', indexDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Indexed 16 passages \(3 duplicates and 0 empty skipped, [\d,]+ terms, 0 long paragraphs cut into ~100-word passages\) into .*index in \d+\.\d s \(\d+ term shards, \d+ tail packs, \d+ passage shards\)\.\n$/,
    );
    expect(r.stderr).toContain('articles.parquet: parquet');
    expect(r.stderr).toContain('dpr.tsv: dpr-tsv');
    expect(r.stderr).toMatch(
      /indexing .*100% \| 0\.0\/0\.0 MB \| 16 passages, 3 duplicates \| [\d.]+ MB\/s \| ETA/,
    );
  });

  it('--help describes the inputs and options', async () => {
    const r = await runCli(['index', 'build', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--chunk-words <n>');
    expect(r.stdout).toContain('--limit <n>');
    expect(r.stdout).toContain('Parquet');
  });

  it('bad option values are usage errors (exit 2)', async () => {
    const r = await runCli([
      'index',
      'build',
      '--input',
      INPUTS,
      '--out',
      join(work, 'x'),
      '--chunk-words',
      'ten',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--chunk-words must be a whole number (0 or more)');
  });
});

describe('playground search', () => {
  it('prints what web_search would return for one query', async () => {
    const r = await runCli([
      'search',
      '--index',
      indexDir,
      '--query',
      'Where did Aretha Franklin die?',
      '--k',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Retrieved documents:\n\n===== Document 0, similarity: 0\.\d\d =====\n"Aretha Franklin"\nAretha Louise Franklin .*\n\n===== Document 1, similarity: 0\.\d\d =====\n"/s,
    );
  });

  it('--json gives ids, titles, scores and texts', async () => {
    const r = await runCli([
      'search',
      '--index',
      indexDir,
      '--query',
      'Denise Levertov poet',
      '--json',
      '--k',
      '1',
    ]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as {
      query: string;
      results: { id: string; title: string; score: number; text: string }[];
    };
    expect(parsed.query).toBe('Denise Levertov poet');
    expect(parsed.results).toHaveLength(1);
    expect(parsed.results[0]).toMatchObject({ id: 'p2', title: 'Denise Levertov' });
    expect(parsed.results[0]?.score).toBeGreaterThan(0);
  });

  it('--queries answers a JSONL batch with one JSON line per query, in order', async () => {
    const file = join(work, 'queries.jsonl');
    await writeFile(
      file,
      [
        { id: 'a', query: 'capital of the Andaman and Nicobar Islands' },
        { id: 7, query: 'West of Shanghai film director' },
        { id: 'none', query: 'qwertyuiop' },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n') + '\n',
    );
    const r = await runCli(['search', '--index', indexDir, '--queries', file, '--k', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; results: { title: string }[] });
    expect(lines.map((l) => l.id)).toEqual(['a', '7', 'none']);
    expect(lines[0]?.results[0]?.title).toBe('Port Blair');
    expect(lines[1]?.results[0]?.title).toBe('West of Shanghai');
    expect(lines[1]?.results).toHaveLength(2);
    expect(lines[2]?.results).toEqual([]);
  });

  it('a malformed batch line is a usage error naming the line', async () => {
    const file = join(work, 'bad.jsonl');
    await writeFile(file, '{"id": 1, "query": "ok"}\n{"id": 2, "q": "no query"}\n');
    const r = await runCli(['search', '--index', indexDir, '--queries', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.jsonl:2');
  });

  it('needs exactly one of --query and --queries', async () => {
    expect((await runCli(['search', '--index', indexDir])).code).toBe(2);
    const both = await runCli(['search', '--index', indexDir, '--query', 'x', '--queries', 'y']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --query');
  });

  it('a missing index fails with what to do', async () => {
    const r = await runCli(['search', '--index', join(work, 'missing'), '--query', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No search index at .*missing.*playground index build/);
  });

  it('--help lists the options', async () => {
    const r = await runCli(['search', '--help']);
    expect(r.code).toBe(0);
    for (const opt of [
      '--index <dir>',
      '--query <text>',
      '--queries <file.jsonl>',
      '--k <n>',
      '--json',
      '--retriever-url <url>',
    ]) {
      expect(r.stdout).toContain(opt);
    }
  });
});
