/**
 * Which questions of a benchmark file a browser run asks: the first N, or N drawn with a seed so
 * the same sample can be asked again (another model, the other mode) and compared.
 */
import { BENCHMARKS } from '../../eval/index.ts';

export type SampleHow = 'first' | 'random';

export interface SampleSpec {
  how: SampleHow;
  size: number;
  seed: number;
}

/** mulberry32: tiny, seedable and good enough to pick questions (not for anything secret). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sampled items, kept in file order so the table reads like the file. */
export function sampleItems<T>(items: readonly T[], spec: SampleSpec): T[] {
  const n = Math.max(0, Math.min(items.length, Math.floor(spec.size)));
  if (spec.how === 'first' || n === items.length) return items.slice(0, n);
  const next = random(spec.seed);
  const idx = items.map((_, i) => i);
  // Partial Fisher-Yates: the first n slots end up a uniform sample without replacement.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(next() * (idx.length - i));
    const t = idx[i] ?? i;
    idx[i] = idx[j] ?? j;
    idx[j] = t;
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i])
    .filter((x): x is T => x !== undefined);
}

export function describeSample(spec: SampleSpec, available: number): string {
  const n = Math.min(available, spec.size);
  if (n === available) return `all ${available} questions`;
  return spec.how === 'first'
    ? `the first ${n} of ${available} questions`
    : `${n} of ${available} questions drawn at random (seed ${spec.seed})`;
}

const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/** The named set a file is, from its name: the shipped file names, then a set's name inside it. */
export function inferBenchmark(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  for (const b of BENCHMARKS) {
    const names = [b.file, b.remotePath ?? ''].map((p) => p.split('/').pop()?.toLowerCase());
    if (names.includes(base)) return b.name;
  }
  const stem = squash(base);
  // Longest names first, so a file named after "gsm_hard" is not taken for another gsm set.
  const byLength = [...BENCHMARKS].sort((a, b) => b.name.length - a.name.length);
  return byLength.find((b) => stem.includes(squash(b.name)))?.name ?? null;
}

/** A name for a file that is none of the named sets (records are filed under it). */
export function fileStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.(jsonl|json|txt)$/i, '').trim() || 'benchmark';
}
