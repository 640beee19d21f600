import { describe, expect, it } from 'vitest';
import { chunkArticle, joinSentences } from '../../src/search/chunk.ts';
import { tokenize } from '../../src/search/tokenize.ts';

describe('tokenize', () => {
  it('lower-cases, folds accents, splits on punctuation and drops stopwords', () => {
    expect(tokenize('Who was the mayor of Łódź and São Paulo in 1999?')).toEqual([
      'mayor',
      'łodz',
      'sao',
      'paulo',
      '1999',
    ]);
    // "can", "t", "i" and "you" are stopwords; "ł" has no decomposition and stays.
    expect(tokenize("I Can't See Myself Leaving You")).toEqual(['see', 'myself', 'leaving']);
  });

  it('keeps repeats (term frequency) and drops absurdly long tokens', () => {
    expect(tokenize('film film FILM')).toEqual(['film', 'film', 'film']);
    expect(tokenize(`keep ${'x'.repeat(41)}`)).toEqual(['keep']);
  });

  it('yields nothing for punctuation and stopwords only', () => {
    expect(tokenize('?!... -- "the" of')).toEqual([]);
  });
});

describe('chunkArticle and joinSentences', () => {
  it('cuts word windows and folds a short tail into the last passage', () => {
    const text = Array.from({ length: 230 }, (_, i) => `w${i}`).join(' ');
    expect(chunkArticle(text, 100).map((c) => c.split(' ').length)).toEqual([100, 100, 30]);
    expect(chunkArticle(text, 110).map((c) => c.split(' ').length)).toEqual([110, 120]);
    expect(chunkArticle('  \n ', 100)).toEqual([]);
  });

  it('joins HotpotQA sentences (leading space) and 2Wiki sentences (none) alike', () => {
    expect(joinSentences(['A b.', ' C d.'])).toBe('A b. C d.');
    expect(joinSentences(['A b.', 'C d.'])).toBe('A b. C d.');
  });
});
