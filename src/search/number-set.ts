/** cyrb53: a 53-bit string hash, enough to tell tens of millions of passages apart. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * A set of 53-bit hashes in one Float64Array (open addressing): 8-11 bytes an entry where a JS
 * Set of numbers takes ~40, so de-duplicating 21M passages fits the builder's memory bound.
 */
export class HashSet53 {
  private table = new Float64Array(1 << 16);
  private count = 0;

  /** Adds `h`; false when it was already there. */
  add(hash: number): boolean {
    const h = hash === 0 ? 1 : hash;
    if ((this.count + 1) * 4 > this.table.length * 3) this.grow();
    if (!this.insert(this.table, h)) return false;
    this.count++;
    return true;
  }

  private insert(table: Float64Array, h: number): boolean {
    const mask = table.length - 1;
    let i = ((h % 0x100000000) >>> 0) & mask;
    for (;;) {
      const v = table[i];
      if (v === 0) {
        table[i] = h;
        return true;
      }
      if (v === h) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const next = new Float64Array(this.table.length * 2);
    for (const v of this.table) if (v !== 0) this.insert(next, v);
    this.table = next;
  }
}
