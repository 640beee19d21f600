/**
 * PROTOCOL section 10, factual: the offline rules (SQuAD-normalised exact match, token F1, gold
 * contained in the prediction), each against the gold answer and its aliases.
 */
import type { GradeResult } from './types.ts';

/** SQuAD normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function tokens(s: string): string[] {
  const n = normalizeAnswer(s);
  return n ? n.split(' ') : [];
}

export function tokenF1(prediction: string, gold: string): number {
  const p = tokens(prediction);
  const g = tokens(gold);
  if (!p.length || !g.length) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (!common) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The gold's tokens appear, in order and contiguous, among the prediction's tokens. */
export function goldContained(prediction: string, gold: string): boolean {
  const g = normalizeAnswer(gold);
  if (!g) return false;
  return ` ${normalizeAnswer(prediction)} `.includes(` ${g} `);
}

export function gradeFactual(prediction: string | null, golds: readonly string[]): GradeResult {
  const pred = prediction ?? '';
  const normalized = normalizeAnswer(pred);
  let bestF1 = 0;
  let bestGold: string | null = null;
  for (const gold of golds) {
    const f1 = tokenF1(pred, gold);
    if (f1 > bestF1 || bestGold === null) {
      bestF1 = f1;
      bestGold = gold;
    }
  }
  const base = { f1: bestF1, normalizedPrediction: normalized };
  if (!normalized) return { correct: false, method: 'none', matched: null, ...base };
  const exact = golds.find((g) => normalizeAnswer(g) === normalized);
  if (exact !== undefined)
    return { correct: true, method: 'normalized-match', matched: exact, ...base };
  const contained = golds.find((g) => goldContained(pred, g));
  if (contained !== undefined)
    return { correct: true, method: 'contains', matched: contained, ...base };
  return { correct: false, method: 'none', matched: bestGold, ...base };
}
