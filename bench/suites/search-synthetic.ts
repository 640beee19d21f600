/**
 * A Wikipedia-like corpus at any size for the search benchmark: words drawn from the real
 * corpus's unigram distribution (Zipfian, as natural text is) plus a log-uniform long tail of
 * rare synthetic terms so the vocabulary keeps growing with the corpus as Wikipedia's does,
 * paragraph lengths drawn from the real paragraphs, titles from the real titles.
 */
import type { PassageInput } from '../../src/search/index.ts';

export interface CorpusSample {
  title: string;
  text: string;
}

/** Deterministic (mulberry32) so runs compare. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Share of words drawn from the rare tail: ~2M terms at 1M passages, as measured on Wikipedia. */
const RARE_SHARE = 0.03;
const RARE_SPACE = 2e8;

function rareWord(r: number): string {
  // Log-uniform over RARE_SPACE ids: Zipf with exponent 1.
  const id = Math.floor(Math.exp(r * Math.log(RARE_SPACE)));
  return `q${id.toString(36)}`;
}

export function syntheticCorpus(
  real: readonly CorpusSample[],
  size: number,
  seed = 42,
): Iterable<PassageInput> {
  const counts = new Map<string, number>();
  const lengths: number[] = [];
  for (const p of real) {
    const words = p.text.split(/\s+/).filter((w) => w.length > 0);
    lengths.push(words.length);
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const words = [...counts.keys()];
  const cumulative = new Float64Array(words.length);
  let total = 0;
  words.forEach((w, i) => {
    total += counts.get(w) ?? 0;
    cumulative[i] = total;
  });
  const random = rng(seed);
  const draw = (): string => {
    if (random() < RARE_SHARE) return rareWord(random());
    const x = random() * total;
    let lo = 0;
    let hi = words.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] ?? 0) <= x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo] ?? '';
  };
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < size; i++) {
        const source = real[Math.floor(random() * real.length)];
        const n = lengths[Math.floor(random() * lengths.length)] ?? 60;
        const text: string[] = [];
        for (let j = 0; j < n; j++) text.push(draw());
        // Half the titles get a rare word so titles, like Wikipedia's, are mostly distinct.
        const title = random() < 0.5 ? `${source?.title ?? ''} ${draw()}` : (source?.title ?? '');
        yield { id: String(i), title, text: text.join(' ') };
      }
    },
  };
}
