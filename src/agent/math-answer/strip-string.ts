/**
 * The reference's answer normaliser, `strip_string` of math_utils/qwen_math_parser.py (lines
 * 238-376, from Qwen2.5-Math), applied to a prediction only when it holds "boxed".
 */
import { pyIntText, pyStrip, pyStripChars } from './python-builtins.ts';
import { convertWordNumber } from './word-to-number.ts';

// qwen_math_parser.py lines 100-235, in order, then each with an "s" (line 235).
const UNIT_TEXTS_BASE = [
  'east',
  'degree',
  'mph',
  'kmph',
  'ft',
  'm sqaure',
  ' m east',
  'sq m',
  'deg',
  'mile',
  'q .',
  'monkey',
  'prime',
  'ratio',
  'profit of rs',
  'rd',
  'o',
  'gm',
  'p . m',
  'lb',
  'tile',
  'per',
  'dm',
  'lt',
  'gain',
  'ab',
  'way',
  'west',
  'a .',
  'b .',
  'c .',
  'd .',
  'e .',
  'f .',
  'g .',
  'h .',
  't',
  'a',
  'h',
  'no change',
  'men',
  'soldier',
  'pie',
  'bc',
  'excess',
  'st',
  'inches',
  'noon',
  'percent',
  'by',
  'gal',
  'kmh',
  'c',
  'acre',
  'rise',
  'a . m',
  'th',
  'π r 2',
  'sq',
  'mark',
  'l',
  'toy',
  'coin',
  'sq . m',
  'gallon',
  '° f',
  'profit',
  'minw',
  'yr',
  'women',
  'feet',
  'am',
  'pm',
  'hr',
  'cu cm',
  'square',
  'v â € ™',
  'are',
  'rupee',
  'rounds',
  'cubic',
  'cc',
  'mtr',
  's',
  'ohm',
  'number',
  'kmph',
  'day',
  'hour',
  'minute',
  'min',
  'second',
  'man',
  'woman',
  'sec',
  'cube',
  'mt',
  'sq inch',
  'mp',
  '∏ cm ³',
  'hectare',
  'more',
  'sec',
  'unit',
  'cu . m',
  'cm 2',
  'rs .',
  'rs',
  'kg',
  'g',
  'month',
  'km',
  'm',
  'cm',
  'mm',
  'apple',
  'liter',
  'loss',
  'yard',
  'pure',
  'year',
  'increase',
  'decrease',
  'd',
  'less',
  'Surface',
  'litre',
  'pi sq m',
  's .',
  'metre',
  'meter',
  'inch',
];
export const UNIT_TEXTS: readonly string[] = [
  ...UNIT_TEXTS_BASE,
  ...UNIT_TEXTS_BASE.map((t) => `${t}s`),
];

// Python's \W on str patterns: not a Unicode letter, number or underscore. "." in a unit text is
// a regex wildcard there too.
const NON_WORD = String.raw`[^\p{L}\p{N}_]`;
const UNIT_PATTERNS = UNIT_TEXTS.map(
  (unit) => new RegExp(`(^|${NON_WORD})${unit.replace(/\./g, '[^\\n]')}($|${NON_WORD})`, 'gu'),
);

const replaceAll = (s: string, from: string, to: string): string => s.split(from).join(to);

/** `_fix_fracs`: \frac12 -> \frac{1}{2}, \frac1{72} -> \frac{1}{72}. */
export function fixFracs(string: string): string {
  const substrs = string.split('\\frac');
  let out = substrs[0] ?? '';
  for (const substr of substrs.slice(1)) {
    out += '\\frac';
    if (substr.length > 0 && substr[0] === '{') {
      out += substr;
      continue;
    }
    if (substr.length < 2) return string;
    const a = substr[0] ?? '';
    const b = substr[1] ?? '';
    const post = substr.slice(2);
    out += b !== '{' ? `{${a}}{${b}}${post}` : `{${a}}${b}${post}`;
  }
  return out;
}

/** `_fix_a_slash_b`: "3/4" -> \frac{3}{4} when both sides are plain integers (or hold sqrt). */
export function fixASlashB(string: string): string {
  const parts = string.split('/');
  if (parts.length !== 2) return string;
  const side = (x: string): string | null => (x.includes('sqrt') ? x : pyIntText(x));
  const a = side(parts[0] ?? '');
  const b = side(parts[1] ?? '');
  if (a === null || b === null || string !== `${a}/${b}`) return string;
  return `\\frac{${a}}{${b}}`;
}

/** `_fix_sqrt`: \sqrt3 -> \sqrt{3}. */
function fixSqrt(string: string): string {
  return string.replace(/\\sqrt([\p{L}\p{N}_]+)/gu, '\\sqrt{$1}');
}

export function stripString(input: string, skipUnit = false): string {
  let s = pyStrip(input);
  s = replaceAll(s, '\n', '');
  s = pyStripChars(s, '.', 'right');
  s = replaceAll(s, '\\!', '');
  s = s.replace(/\\begin\{array\}\{[^\n]*?\}/g, '\\begin{pmatrix}');
  s = s.replace(/\\end\{array\}/g, '\\end{pmatrix}');
  s = replaceAll(s, 'bmatrix', 'pmatrix');
  s = replaceAll(replaceAll(s, 'tfrac', 'frac'), 'dfrac', 'frac');
  s = replaceAll(replaceAll(replaceAll(s, '\\neq', '\\ne'), '\\leq', '\\le'), '\\geq', '\\ge');
  s = replaceAll(replaceAll(s, '\\left', ''), '\\right', '');
  s = replaceAll(replaceAll(s, '\\{', '{'), '\\}', '}');

  // A trailing \text{...} is a unit, unless it is all there is.
  const withoutText = pyStrip(s.replace(/\\text\{[^\n]*?\}$/, ''));
  if (withoutText !== '' && withoutText !== s) s = withoutText;

  if (!skipUnit) {
    for (let round = 0; round < 2; round++) {
      for (const pattern of UNIT_PATTERNS) {
        const next = s.replace(pattern, '$1$2');
        if (next !== '') s = next;
      }
    }
  }

  s = replaceAll(replaceAll(s, '^{\\circ}', ''), '^\\circ', '');
  s = replaceAll(replaceAll(s, '\\$', ''), '$', '');
  s = replaceAll(replaceAll(s, '\\(', ''), '\\)', '');
  s = convertWordNumber(s);
  s = s.replace(/\\text\{([^\n]*?)\}/g, '$1');
  for (const key of ['x=', 'y=', 'z=', 'x\\in', 'y\\in', 'z\\in', 'x\\to', 'y\\to', 'z\\to'])
    s = replaceAll(s, key, '');
  s = replaceAll(s, '\\emptyset', '{}');
  s = replaceAll(s, '(-\\infty,\\infty)', '\\mathbb{R}');
  s = replaceAll(replaceAll(s, '\\%', ''), '%', '');
  s = replaceAll(replaceAll(s, ' .', ' 0.'), '{.', '{0.');
  // (The reference unwraps {x}/(x)/[x] only when the whole string is alphanumeric, which a
  // bracketed string never is: a no-op, left out.)
  s = replaceAll(s, 'infinity', '\\infty');
  if (!s.includes('\\infty')) s = replaceAll(s, 'inf', '\\infty');
  s = replaceAll(s, '+\\inity', '\\infty');
  s = replaceAll(s, 'and', '');
  s = replaceAll(s, '\\mathbf', '');
  s = s.replace(/\\mbox\{[^\n]*?\}/g, '');
  if (s.includes('j') && !s.includes('i')) s = replaceAll(s, 'j', 'i');
  s = s.replace(/(\p{Nd}+)\.0*([^\p{Nd}])/gu, '$1$2');
  s = s.replace(/(\p{Nd}+)\.0*$/u, '$1');
  if (s.length === 0) return s;
  if (s[0] === '.') s = `0${s}`;
  const sides = s.split('=');
  if (sides.length === 2 && [...(sides[0] ?? '')].length <= 2) s = sides[1] ?? '';
  s = fixSqrt(s);
  s = replaceAll(s, ' ', '');
  s = fixFracs(s);
  s = fixASlashB(s);
  return s;
}
