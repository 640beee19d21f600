import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bm25Baseline,
  corpusPassages,
  heldOutSets,
  hotpotQuestions,
  rankTitles,
  recall,
  twoWikiQuestions,
} from '../../bench/suites/search.ts';
import {
  createWebSearchTool,
  formatScore,
  type IndexManifest,
  type LocalIndex,
} from '../../src/search/index.ts';
import { buildIndexFromFiles, openLocalIndex } from '../../src/search/node/index.ts';

const DATA = process.env.AGENT_DATA_DIR;
const CORPUS = DATA ? join(DATA, 'wiki_corpus/passages.jsonl') : '';
const skip = !DATA || !existsSync(CORPUS);
if (skip) {
  console.warn(
    'search-corpus tests skipped: set AGENT_DATA_DIR to the shared data folder (with wiki_corpus/passages.jsonl) to run them.',
  );
}

describe.skipIf(skip)('search on the real 44,646-passage corpus (AGENT_DATA_DIR)', () => {
  let work: string;
  let index: LocalIndex;
  let manifest: IndexManifest;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'search-corpus-'));
    manifest = await buildIndexFromFiles({ inputs: [CORPUS], out: join(work, 'index') });
    index = await openLocalIndex(join(work, 'index'));
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds every paragraph (the corpus is already de-duplicated), long ones cut into ~100-word passages', async () => {
    expect(manifest.sources[0]?.passages).toBe(44_646);
    expect(manifest.counts.duplicates).toBe(0);
    expect(manifest.counts.chunked).toBeGreaterThan(1000);
    expect(index.size).toBeGreaterThan(44_646 + manifest.counts.chunked - 1);
    // The longest paragraphs (over 1,000 words) no longer fill a context in one web_search.
    const hits = await index.search('Aretha Franklin', 10);
    for (const h of hits) expect(h.text.split(/\s+/).length).toBeLessThanOrEqual(150);
  });

  it('finds both gold paragraphs of a comparison question in the top 3', async () => {
    const hits = await index.search(
      'Between Harvey Pekar and Denise Levertov who was born earlier?',
      3,
    );
    expect(hits.map((h) => h.title)).toEqual(
      expect.arrayContaining(['Harvey Pekar', 'Denise Levertov']),
    );
  });

  it('puts the entity a 2Wiki question names first', async () => {
    const hits = await index.search(
      'Who is the spouse of the director of film West Of Shanghai?',
      3,
    );
    expect(hits[0]?.title).toBe('West of Shanghai');
  });

  it('a multi-word query with a word the corpus lacks still returns passages', async () => {
    const hits = await index.search('Aretha Franklin zxqvbnmlkj', 3);
    expect(hits.length).toBe(3);
    expect(hits[0]?.title).toBe('Aretha Franklin');
  });

  it('similarities are real: in [0, 1], sorted, and varying across queries', async () => {
    const questions = (await hotpotQuestions(DATA)).slice(0, 100);
    const seen = new Set<string>();
    for (const q of questions) {
      const hits = await index.search(q.question, 3);
      const scores = hits.map((h) => h.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      for (const s of scores) {
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThan(1);
        seen.add(s.toFixed(2));
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it('prints different similarities for passages whose scores differ (two decimals)', async () => {
    const questions = [
      ...(await hotpotQuestions(DATA)).slice(100, 250),
      ...(await twoWikiQuestions(DATA)).slice(0, 150),
    ];
    let compared = 0;
    const printed: number[] = [];
    for (const q of questions) {
      const hits = await index.rank(q.question, 3);
      for (let i = 1; i < hits.length; i++) {
        const [a, b] = [hits[i - 1], hits[i]];
        if (!a || !b || a.bm25 === b.bm25) continue;
        compared++;
        expect(formatScore(b.similarity) < formatScore(a.similarity), q.question).toBe(true);
      }
      for (const h of hits) printed.push(h.similarity);
    }
    expect(compared).toBeGreaterThan(500);
    // A dense-retriever-like spread, not a band of identical values.
    printed.sort((x, y) => x - y);
    const at = (p: number) => printed[Math.floor(p * (printed.length - 1))] ?? 0;
    expect(at(0.9) - at(0.1)).toBeGreaterThan(0.15);
    expect(at(0.5)).toBeGreaterThan(0.5);
    expect(at(0.5)).toBeLessThan(0.9);
  });

  it('web_search prints three documents in the protocol format', async () => {
    const result = await createWebSearchTool(index).call({
      query: 'Where did Aretha Franklin die?',
    });
    expect(result.text).toMatch(
      /^\nRetrieved documents:\n\n===== Document 0, similarity: 0\.\d\d =====\n"/,
    );
    expect(result.text.match(/\n\n===== Document \d, similarity: \d\.\d\d =====\n"/g)).toHaveLength(
      3,
    );
  });

  it(
    'recall@3 of gold titles beats exhaustive BM25 by 0.08 on samples of every question set',
    { timeout: 600_000 },
    async () => {
      const baseline = new Bm25Baseline(await corpusPassages(DATA));
      const held = await heldOutSets(DATA);
      for (const questions of [
        (await hotpotQuestions(DATA)).slice(0, 300),
        (await twoWikiQuestions(DATA)).slice(0, 300),
        ...Object.values(held).map((qs) => qs.slice(0, 300)),
      ]) {
        const ours = recall(questions, await rankTitles(index, questions));
        const bm25 = recall(
          questions,
          questions.map((q) => baseline.search(q.question, 10)),
        );
        expect(ours.at3).toBeGreaterThanOrEqual(bm25.at3 + 0.08);
      }
    },
  );
});
