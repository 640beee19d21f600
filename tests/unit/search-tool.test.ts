import { describe, expect, it } from 'vitest';
import { PlaygroundError } from '../../src/errors.ts';
import type { Passage, Retriever } from '../../src/agent/ports.ts';
import type { JsonValue } from '../../src/json.ts';
import {
  createWebSearchTool,
  formatRetrievedDocuments,
  formatScore,
  IndexBuilder,
  parseContents,
  toContents,
} from '../../src/search/index.ts';

const passage = (id: string, title: string, text: string, score: number): Passage => ({
  id,
  title,
  text,
  contents: toContents(title, text),
  score,
});

/** A retriever that answers from a fixed list and records what it was asked. */
function fixed(passages: Passage[]): Retriever & { queries: string[] } {
  const queries: string[] = [];
  return {
    description: 'fixed',
    queries,
    async search(query, k) {
      queries.push(query);
      return passages.slice(0, k);
    },
  };
}

describe('formatRetrievedDocuments (docs/protocol.md section 4)', () => {
  it('produces the exact bytes the checkpoints were trained on', () => {
    const text = formatRetrievedDocuments([
      passage(
        '1',
        'Harvey Pekar',
        'Harvey Lawrence Pekar was an American comic book writer.',
        0.8349,
      ),
      passage('2', 'Denise Levertov', 'Priscilla Denise Levertov was an American poet.', 0.8),
      passage('3', 'Joyce Brabner', 'Joyce Brabner is a writer.', 0.05),
    ]);
    expect(text).toBe(
      '\nRetrieved documents:' +
        '\n\n===== Document 0, similarity: 0.83 =====\n"Harvey Pekar"\nHarvey Lawrence Pekar was an American comic book writer.' +
        '\n\n===== Document 1, similarity: 0.80 =====\n"Denise Levertov"\nPriscilla Denise Levertov was an American poet.' +
        '\n\n===== Document 2, similarity: 0.05 =====\n"Joyce Brabner"\nJoyce Brabner is a writer.',
    );
  });

  it('rounds like Python\'s "{:.2f}" (ties to even on exact binary ties)', () => {
    // Values checked against CPython 3: f"{x:.2f}".
    const python: [number, string][] = [
      [0.125, '0.12'],
      [0.375, '0.38'],
      [0.625, '0.62'],
      [0.875, '0.88'],
      [0.835, '0.83'],
      [0.845, '0.84'],
      [0.005, '0.01'],
      [1, '1.00'],
      [0, '0.00'],
      [0.999, '1.00'],
    ];
    for (const [x, s] of python) expect(formatScore(x), String(x)).toBe(s);
  });
});

describe('contents', () => {
  it('round-trips the wiki-18 form and tolerates a title line without quotes', () => {
    expect(parseContents(toContents('A "quoted" title', 'line one\nline two'))).toEqual({
      title: 'A "quoted" title',
      text: 'line one\nline two',
    });
    expect(parseContents('Bare title\nbody')).toEqual({ title: 'Bare title', text: 'body' });
    expect(parseContents('"Only a title"')).toEqual({ title: 'Only a title', text: '' });
  });
});

describe('createWebSearchTool', () => {
  const docs = [
    passage('a', 'Alpha', 'First text.', 0.9),
    passage('b', 'Beta', 'Second text.', 0.7),
    passage('c', 'Gamma', 'Third text.', 0.5),
    passage('d', 'Delta', 'Fourth text.', 0.3),
  ];

  it('is web_search(query) returning k = 3 documents and the passages as data', async () => {
    const tool = createWebSearchTool(fixed(docs));
    expect(tool.name).toBe('web_search');
    expect(tool.params).toEqual(['query']);
    const result = await tool.call({ query: 'alpha beta' });
    expect(result.text).toBe(formatRetrievedDocuments(docs.slice(0, 3)));
    expect(result.data).toEqual([
      { id: 'a', title: 'Alpha', text: 'First text.', score: 0.9 },
      { id: 'b', title: 'Beta', text: 'Second text.', score: 0.7 },
      { id: 'c', title: 'Gamma', text: 'Third text.', score: 0.5 },
    ]);
  });

  it('answers absurd queries with a sentence the model can act on, never an exception', async () => {
    const retriever = fixed(docs);
    const tool = createWebSearchTool(retriever);
    const cases: [JsonValue | undefined, RegExp][] = [
      ['', /empty query.*web_search\(query=/],
      ['   ', /empty query/],
      ['?!...;;', /no searchable words/],
      [42, /needs a string query, but got a number/],
      [null, /got None/],
      [['a', 'b'], /got a list/],
      [undefined, /got nothing/],
    ];
    for (const [query, expected] of cases) {
      const args: Record<string, JsonValue> = query === undefined ? {} : { query };
      const result = await tool.call(args);
      expect(result.text, JSON.stringify(query)).toMatch(expected);
      expect(result.data).toEqual([]);
    }
    expect(retriever.queries).toEqual([]);
  });

  it('cuts a 10k-character query before searching', async () => {
    const retriever = fixed(docs);
    const tool = createWebSearchTool(retriever);
    const result = await tool.call({ query: 'alpha '.repeat(2000) });
    expect(result.text.startsWith('\nRetrieved documents:')).toBe(true);
    expect(retriever.queries[0]?.length).toBeLessThanOrEqual(1000);
  });

  it('says plainly when nothing is found', async () => {
    const result = await createWebSearchTool(fixed([])).call({ query: 'zzyzx quux' });
    expect(result.text).toBe(
      'No documents found for "zzyzx quux". Try other keywords: a name, a title or a shorter query.',
    );
    expect(result.data).toEqual([]);
  });

  it('lets retriever failures through for the user to fix', async () => {
    const failing: Retriever = {
      description: 'down',
      search: () => Promise.reject(new PlaygroundError('retriever_unreachable', 'down')),
    };
    await expect(createWebSearchTool(failing).call({ query: 'alpha' })).rejects.toMatchObject({
      code: 'retriever_unreachable',
    });
  });

  it('without an index, says so for every call (the CLI and the app alike)', async () => {
    const text =
      'web_search is unavailable: this session has no Wikipedia index. Answer from what you know or compute.';
    for (const tool of [createWebSearchTool(null), createWebSearchTool(Promise.resolve(null))])
      for (const query of ['Harvey Pekar', 42, '']) {
        expect(await tool.call({ query })).toEqual({ text, data: [] });
      }
  });

  it('waits for an index still loading, and hands on its load failure', async () => {
    let settle: (r: Retriever | null) => void = () => undefined;
    const tool = createWebSearchTool(new Promise<Retriever | null>((r) => (settle = r)));
    const pending = tool.call({ query: 'alpha' });
    settle(fixed(docs));
    expect((await pending).text).toBe(formatRetrievedDocuments(docs.slice(0, 3)));
    const broken = createWebSearchTool(
      Promise.reject(new PlaygroundError('index_corrupt', 'damaged')),
    );
    await expect(broken.call({ query: 'alpha' })).rejects.toMatchObject({ code: 'index_corrupt' });
  });

  it('over a real local index, prints real, different similarities', async () => {
    const builder = new IndexBuilder();
    await builder.add({
      title: 'Harvey Pekar',
      text: 'Harvey Pekar was an American comic book writer from Cleveland.',
    });
    await builder.add({
      title: 'Cleveland',
      text: 'Cleveland is a city in Ohio. Many comic book writers lived there.',
    });
    await builder.add({ title: 'Ohio', text: 'Ohio is a state in the Midwestern United States.' });
    const tool = createWebSearchTool(await builder.toLocalIndex(), 2);
    const result = await tool.call({ query: 'Harvey Pekar comic book writer Cleveland' });
    const scores = [...result.text.matchAll(/similarity: (\d\.\d\d)/g)].map((m) => Number(m[1]));
    expect(result.text).toMatch(
      /^\nRetrieved documents:\n\n===== Document 0, similarity: 0\.\d\d =====\n"Harvey Pekar"\n/,
    );
    expect(scores.length).toBe(2);
    expect(scores[0]).toBeGreaterThan(scores[1] ?? 1);
    expect(scores[1]).toBeGreaterThan(0);
  });
});
