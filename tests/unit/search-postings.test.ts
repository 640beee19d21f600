import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/search/bytes.ts';
import { findInTermShard, TermShardWriter } from '../../src/search/index-layout.ts';
import {
  decodePostings,
  emptyPostings,
  encodePostings,
  TITLE_BIT,
  WINDOW_BIT,
} from '../../src/search/postings.ts';

function sample() {
  const p = emptyPostings(4);
  p.docs.set([3, 200, 70_000, 4_000_000_000]);
  p.tfs.set([1, 5 | TITLE_BIT, 63 | WINDOW_BIT, 2 | TITLE_BIT | WINDOW_BIT]);
  p.lengths.set([12, 130, 1 << 21, 7]);
  p.titleLengths.set([0, 4, 0, 255]);
  p.windows.set([0, 0, 3, 129]);
  const w = new ByteWriter(8);
  encodePostings(p, w);
  return { p, bytes: w.view().slice() };
}

describe('posting blocks', () => {
  it('decode to what was encoded: multi-byte varints, title lengths and window offsets', () => {
    const { p, bytes } = sample();
    expect(decodePostings(bytes)).toEqual(p);
  });

  it('reject a block cut short at any byte, and one with bytes after its postings', () => {
    const { bytes } = sample();
    for (let cut = 0; cut < bytes.length; cut++)
      expect(() => decodePostings(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(RangeError);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodePostings(longer)).toThrow(/trailing bytes/);
  });
});

describe('term shard lookup', () => {
  it('finds a term by its bytes, with its head and tail, and nothing for a missing one', () => {
    const w = new TermShardWriter();
    w.add('café', 3, new Uint8Array([1, 2, 3]));
    w.add('cafe', 1, new Uint8Array([9]), { pack: 0, offset: 17, bytes: 300 });
    w.add('zürich', 2, new Uint8Array([4, 5]));
    const shard = w.finish();
    const find = (t: string) => findInTermShard(shard, new TextEncoder().encode(t));
    expect(find('café')).toEqual({ df: 3, head: new Uint8Array([1, 2, 3]) });
    expect(find('cafe')).toEqual({
      df: 1,
      head: new Uint8Array([9]),
      tail: { pack: 0, offset: 17, bytes: 300 },
    });
    expect(find('zürich')?.df).toBe(2);
    expect(find('caf')).toBeUndefined();
    expect(() => findInTermShard(shard.subarray(0, shard.length - 2), new Uint8Array([0]))).toThrow(
      RangeError,
    );
  });
});
