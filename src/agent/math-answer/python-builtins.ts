/**
 * The few Python built-ins the reference grader leans on (str.split, float(), int(), isclose,
 * str(float)), with Python's semantics rather than JavaScript's: the paper's scores depend on them.
 */
import { isPySpace, pyStrip } from '../python-text.ts';

export { pyStrip };

/** str.split() with no argument: runs of whitespace, no empty parts. */
export function pySplitWhitespace(s: string): string[] {
  const parts: string[] = [];
  let word = '';
  for (const ch of s) {
    if (isPySpace(ch)) {
      if (word) parts.push(word);
      word = '';
    } else word += ch;
  }
  if (word) parts.push(word);
  return parts;
}

/** str.strip(chars), str.lstrip(chars), str.rstrip(chars). */
export function pyStripChars(
  s: string,
  chars: string,
  side: 'both' | 'left' | 'right' = 'both',
): string {
  let start = 0;
  let end = s.length;
  if (side !== 'right') while (start < end && chars.includes(s[start] ?? '')) start++;
  if (side !== 'left') while (end > start && chars.includes(s[end - 1] ?? '')) end--;
  return s.slice(start, end);
}

/** str.count(sub) for a non-empty sub. */
export function pyCount(s: string, sub: string): number {
  return s.split(sub).length - 1;
}

/** len(): code points, not UTF-16 units. */
export function pyLen(s: string): number {
  return [...s].length;
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_TEXT = new RegExp(
  String.raw`^[+-]?(?:(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.?)(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`,
  'i',
);

/** float(s), or null where Python raises ValueError. */
export function pyFloat(s: string): number | null {
  const t = pyStrip(s);
  if (!FLOAT_TEXT.test(t)) return null;
  const bare = t.replace(/_/g, '').toLowerCase();
  if (/^[+-]?nan$/.test(bare)) return NaN;
  if (/^[+-]?inf(?:inity)?$/.test(bare)) return bare.startsWith('-') ? -Infinity : Infinity;
  return Number(bare);
}

/** int(s) as its decimal text (big integers stay exact), or null where Python raises. */
export function pyIntText(s: string): string | null {
  const t = pyStrip(s);
  if (!/^[+-]?\d(?:_?\d)*$/.test(t)) return null;
  return BigInt(t.replace(/_/g, '')).toString();
}

/** math.isclose(a, b, rel_tol=relTol) with abs_tol 0. */
export function pyIsClose(a: number, b: number, relTol: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(b - a);
  return diff <= Math.abs(relTol * b) || diff <= Math.abs(relTol * a);
}

/** str(x) of a Python float (repr: shortest round trip, ".0" on whole numbers). */
export function pyFloatText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    // Python: 1e+16, 1.5e-05 (two-digit exponent at least).
    const [mantissa = '', exp = '0'] = x.toExponential().split('e');
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** str.isdigit(): every character a digit (Unicode Nd and the superscript/circled digits). */
export function pyIsDigit(s: string): boolean {
  return (
    s.length > 0 &&
    /^[\p{Nd}\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468]+$/u.test(s)
  );
}
