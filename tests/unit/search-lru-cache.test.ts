import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/search/checked-files.ts';

describe('LruCache cost bound', () => {
  it('evicts the least recently used entries when a cost learnt late exceeds the bound', () => {
    const cache = new LruCache<string>(10);
    cache.set('a', 'A', 4);
    cache.set('b', 'B', 4);
    cache.set('c', 'C', 1);
    expect(cache.get('a')).toBe('A');
    // 'c' was stored as 1 while its size was unknown; at 6 the total is 14 > 10: 'b' goes.
    cache.setCost('c', 6);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });

  it('ignores a cost for a key it no longer holds', () => {
    const cache = new LruCache<string>(10);
    cache.set('a', 'A', 4);
    cache.setCost('gone', 100);
    expect(cache.get('a')).toBe('A');
    cache.set('b', 'B', 6);
    expect(cache.get('a')).toBe('A');
  });
});
