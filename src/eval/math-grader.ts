/**
 * PROTOCOL section 10, math: the last \boxed{} of the prediction against each gold answer, as
 * strings, numbers (relative 1e-4), tuples/intervals element-wise, identities at random points,
 * and finally sympy when the caller supplies a symbolic hook.
 */
import { evaluateConstant, parseExpression, sameTokens } from './math/expression.ts';
import { normalizeMath, type NormalizedMath } from './math/normalize.ts';
import type { GradeMethod, GradeResult } from './types.ts';

export const RELATIVE_TOLERANCE = 1e-4;

/** Symbolic equality of two normalised answers (e.g. sympy in the Python sandbox); null = unknown. */
export type SymbolicEqual = (a: string, b: string) => Promise<boolean | null>;

export interface MathGradeOptions {
  symbolicEqual?: SymbolicEqual;
}

interface Verdict {
  equal: boolean;
  method: GradeMethod;
}

export function numbersClose(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

interface Structure {
  open: string;
  close: string;
  items: string[];
}

/** Splits at commas outside any bracket. */
function splitTopLevel(s: string, sep = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && s[i + 1] === '{') i++;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === sep && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

/** The brackets enclosing the whole string, when they pair with each other. */
function outerBrackets(s: string): { open: string; close: string; inner: string } | null {
  const open = s[0];
  const close = s[s.length - 1];
  if (!open || !close || !'([{'.includes(open) || !')]}'.includes(close)) return null;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (depth === 0 && i < s.length - 1) return null;
  }
  return { open, close, inner: s.slice(1, -1) };
}

/** Tuples, intervals, sets, matrices and bare comma lists; null for a single value. */
function structureOf(s: string): Structure | null {
  const matrix = /^\\begin\{[pbv]?matrix\}([\s\S]*)\\end\{[pbv]?matrix\}$/.exec(s);
  if (matrix?.[1] !== undefined) {
    const rows = matrix[1]
      .split('\\\\')
      .map((r) => r.trim())
      .filter(Boolean);
    return {
      open: 'matrix',
      close: 'matrix',
      items: rows.map((r) => `(${r.split('&').join(',')})`),
    };
  }
  const setBraces = /^\\\{([\s\S]*)\\\}$/.exec(s);
  if (setBraces?.[1] !== undefined)
    return { open: '{', close: '}', items: splitTopLevel(setBraces[1]) };
  const outer = outerBrackets(s);
  if (outer) {
    const items = splitTopLevel(outer.inner);
    if (items.length > 1) return { open: outer.open, close: outer.close, items };
    return null;
  }
  const items = splitTopLevel(s);
  return items.length > 1 ? { open: '', close: '', items } : null;
}

function sameNumber(a: number, b: number, percent: boolean): boolean {
  if (numbersClose(a, b)) return true;
  // "50%" may be compared with 50 or with 0.5.
  return percent && (numbersClose(a, b * 100) || numbersClose(a * 100, b));
}

/** A deterministic pseudo-random sequence, so grading is reproducible. */
function* randomPoints(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    yield 0.3 + (x / 2147483648) * 2.4;
  }
}

/** Words, not a formula: letters would otherwise parse as a product of variables. */
function looksLikeProse(text: string): boolean {
  const bare = text.replace(/\\[a-zA-Z]+/g, ' ').replace(KNOWN_NAMES, ' ');
  return /[a-zA-Z]{3,}/.test(bare);
}
const KNOWN_NAMES =
  /\b(?:a?sin|a?cos|a?tan|arc(?:sin|cos|tan)|sec|csc|cot|sqrt|log|ln|exp|pi|inf|oo)\b/g;

/** Equal as functions of their letters at random points (both must parse). */
function identityEqual(a: string, b: string): boolean | null {
  const pa = parseExpression(a);
  const pb = parseExpression(b);
  if (!pa || !pb) return null;
  const vars = [...new Set([...pa.variables, ...pb.variables])];
  if (!vars.length) return null;
  const rng = randomPoints(7);
  let agreed = 0;
  for (let trial = 0; trial < 12 && agreed < 5; trial++) {
    const env: Record<string, number> = {};
    for (const v of vars) env[v] = rng.next().value ?? 1;
    const va = pa.evaluate(env);
    const vb = pb.evaluate(env);
    if (Number.isNaN(va) && Number.isNaN(vb)) continue;
    if (!numbersClose(va, vb)) return false;
    agreed++;
  }
  return agreed >= 3 ? true : null;
}

async function compare(
  a: NormalizedMath,
  b: NormalizedMath,
  options: MathGradeOptions,
): Promise<Verdict> {
  if (a.text === b.text) return { equal: true, method: 'exact' };
  if (/^[a-z ]+$/i.test(a.text) && a.text.toLowerCase() === b.text.toLowerCase()) {
    return { equal: true, method: 'exact' };
  }

  const sa = structureOf(a.text);
  const sb = structureOf(b.text);
  if (sa || sb) {
    if (!sa || !sb || sa.items.length !== sb.items.length)
      return { equal: false, method: 'structure' };
    const bare = sa.open === '' || sb.open === '';
    // A bare list is compared with a tuple in order, with another bare list or a set as a set.
    if (!bare && (sa.open !== sb.open || sa.close !== sb.close)) {
      return { equal: false, method: 'structure' };
    }
    const part = (text: string, percent: boolean): NormalizedMath => {
      const n = normalizeMath(text);
      return { text: n.text, percent: percent || n.percent };
    };
    const left = sa.items.map((t) => part(t, a.percent));
    const right = sb.items.map((t) => part(t, b.percent));
    const unordered = (sa.open === '' && sb.open === '') || (sa.open === '{' && sb.open === '{');
    if (unordered) {
      const unused = [...right];
      for (const item of left) {
        let found = -1;
        for (let j = 0; j < unused.length && found < 0; j++) {
          const candidate = unused[j];
          if (candidate && (await compare(item, candidate, options)).equal) found = j;
        }
        if (found < 0) return { equal: false, method: 'structure' };
        unused.splice(found, 1);
      }
      return { equal: true, method: 'structure' };
    }
    for (let i = 0; i < left.length; i++) {
      const l = left[i];
      const r = right[i];
      if (!l || !r || !(await compare(l, r, options)).equal)
        return { equal: false, method: 'structure' };
    }
    return { equal: true, method: 'structure' };
  }

  const va = evaluateConstant(a.text);
  const vb = evaluateConstant(b.text);
  if (va !== null && vb !== null) {
    return { equal: sameNumber(va, vb, a.percent || b.percent), method: 'numeric' };
  }
  if (sameTokens(a.text, b.text)) return { equal: true, method: 'exact' };
  const prose = looksLikeProse(a.text);
  const identity = prose ? null : identityEqual(a.text, b.text);
  if (identity !== null) return { equal: identity, method: 'identity' };
  if (options.symbolicEqual) {
    const symbolic = await options.symbolicEqual(a.text, b.text);
    if (symbolic !== null) return { equal: symbolic, method: 'symbolic' };
  }
  // A sentence around a number ("The answer is 42 apples"): its last number, when gold is one.
  if (vb !== null && va === null && prose) {
    const numbers = a.text.match(/-?\d[\d,]*(?:\.\d+)?|-?\.\d+/g);
    const lastNumber = numbers?.[numbers.length - 1]?.replace(/,(?=\d{3}\b)/g, '');
    if (lastNumber !== undefined && Number.isFinite(Number(lastNumber))) {
      return {
        equal: sameNumber(Number(lastNumber), vb, a.percent || b.percent),
        method: 'numeric',
      };
    }
  }
  return { equal: false, method: 'none' };
}

/** Is two math answers' value the same? Both sides go through the same normalisation. */
export async function mathEqual(
  prediction: string,
  gold: string,
  options: MathGradeOptions = {},
): Promise<boolean> {
  return (await compare(normalizeMath(prediction), normalizeMath(gold), options)).equal;
}

export async function gradeMath(
  prediction: string | null,
  golds: readonly string[],
  options: MathGradeOptions = {},
): Promise<GradeResult> {
  if (prediction === null || !prediction.trim()) {
    return { correct: false, method: 'none', matched: null, normalizedPrediction: '' };
  }
  const pred = normalizeMath(prediction);
  let last: Verdict = { equal: false, method: 'none' };
  for (const gold of golds) {
    last = await compare(pred, normalizeMath(gold), options);
    if (last.equal) {
      return { correct: true, method: last.method, matched: gold, normalizedPrediction: pred.text };
    }
  }
  return { correct: false, method: last.method, matched: null, normalizedPrediction: pred.text };
}
