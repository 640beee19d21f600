import { describe, expect, it } from 'vitest';
import { chunkArticle } from '../../src/search/chunk.ts';
import { mentionedNames } from '../../src/search/feedback.ts';
import { formatScore, IndexBuilder } from '../../src/search/index.ts';
import { separateScores, toSimilarity } from '../../src/search/similarity.ts';

const words = (n: number, word = 'filler') =>
  Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('score separation', () => {
  it('prints strictly lower values for strictly lower scores, equal values for equal scores', () => {
    // Three clearly different passages whose curve values all print 0.87.
    const sims = [0.8712, 0.8704, 0.8699];
    expect(sims.map(formatScore)).toEqual(['0.87', '0.87', '0.87']);
    const out = separateScores([9.1, 8.7, 8.2], sims).map(formatScore);
    expect(out).toEqual(['0.87', '0.86', '0.85']);
    expect(separateScores([5, 5], [0.5, 0.5]).map(formatScore)).toEqual(['0.50', '0.50']);
    // Values already apart are left alone.
    expect(separateScores([3, 2, 1], [0.9, 0.7, 0.5])).toEqual([0.9, 0.7, 0.5]);
  });

  it('maps scores into [0, 1), strictly increasing, with good matches near 0.8', () => {
    expect(toSimilarity(0, 10)).toBe(0);
    let last = 0;
    for (const c of [0.1, 0.3, 0.6, 1, 1.5, 2, 4, 10]) {
      const s = toSimilarity(c * 10, 10);
      expect(s).toBeGreaterThan(last);
      expect(s).toBeLessThan(1);
      last = s;
    }
    expect(toSimilarity(10, 10)).toBeGreaterThan(0.7);
    expect(toSimilarity(10, 10)).toBeLessThan(0.85);
  });
});

describe('chunking', () => {
  it('cuts a long paragraph into ~100-word windows and keeps short ones whole', () => {
    expect(chunkArticle(words(140), 100)).toHaveLength(2);
    const pieces = chunkArticle(words(1010), 100);
    expect(pieces).toHaveLength(10);
    // A short tail joins the last window rather than standing alone.
    expect(pieces.at(-1)?.split(' ')).toHaveLength(110);
  });

  it('indexes long paragraphs as windows, returns one window per paragraph', async () => {
    const builder = new IndexBuilder({ config: { chunkWords: 100 } });
    // 1,000 words with "zebra" in two windows; a rival paragraph mentions it once.
    const long = `${words(50)} zebra ${words(300, 'x')} zebra zebra ${words(648, 'y')}`;
    await builder.add({ id: 'long', title: 'Long article', text: long });
    await builder.add({ id: 'short', title: 'Short one', text: `A zebra. ${words(130, 'z')}` });
    await builder.add({ id: 'plain', title: 'Plain', text: words(120, 'w') });
    const index = await builder.toLocalIndex({ feedback: false });
    // 10 windows + a 132-word paragraph kept whole + a 120-word one.
    expect(index.size).toBe(12);
    const hits = await index.search('zebra', 5);
    expect(hits.map((h) => h.id)).toEqual(['long-3', 'short']);
    for (const h of hits) expect(h.text.split(' ').length).toBeLessThanOrEqual(150);
  });

  it('keeps paragraphs whole when chunking is off (chunkWords 0)', async () => {
    const builder = new IndexBuilder({ config: { chunkWords: 0 } });
    await builder.add({ title: 'Long', text: words(1000) });
    expect((await builder.toLocalIndex()).size).toBe(1);
  });
});

describe('second hop (names in the best passage)', () => {
  it('takes capitalised words that do not start a sentence, minus what was asked', () => {
    const text =
      'West of Shanghai is a 1937 film directed by John Farrow. The film stars Boris Karloff.';
    expect(mentionedNames(text, new Set(['west', 'shanghai']))).toEqual([
      'john',
      'farrow',
      'boris',
      'karloff',
    ]);
  });

  it('finds the entity a question reaches through another one', async () => {
    const builder = new IndexBuilder();
    const add = (title: string, text: string) => builder.add({ id: title, title, text });
    await add(
      'West of Shanghai',
      'West of Shanghai is a 1937 American drama film directed by John Farrow and starring Boris Karloff.',
    );
    await add(
      'John Farrow',
      'John Farrow was an Australian film director. He married the actress Maureen O’Sullivan.',
    );
    for (let i = 0; i < 8; i++) {
      await add(
        `Film ${i}`,
        `Film ${i} is a drama film whose director had a spouse, ${words(20)}.`,
      );
    }
    const withHop = await builder.toLocalIndex();
    const hits = await withHop.search(
      'Who is the spouse of the director of film West of Shanghai?',
      3,
    );
    expect(hits[0]?.title).toBe('West of Shanghai');
    expect(hits.map((h) => h.title)).toContain('John Farrow');
    const printed = hits.map((h) => formatScore(h.score));
    expect(new Set(printed).size).toBe(printed.length);
    expect([...printed].sort().reverse()).toEqual(printed);
  });
});
