/**
 * PROTOCOL section 10: turns a math answer (LaTeX or plain) into a canonical string that the
 * comparison rules work on: wrappers, spacing, text, units, degrees and percent signs removed.
 */
import { closingBrace, lastBoxed } from '../../agent/answer-extraction.ts';

export interface NormalizedMath {
  text: string;
  /** The answer carried a percent sign: 50% may be meant as 50 or as 0.5. */
  percent: boolean;
}

/** Replaces `\cmd{content}` with `content` for each listed command, braces balanced. */
function unwrapCommands(s: string, commands: readonly string[]): string {
  const re = new RegExp(`\\\\(?:${commands.join('|')})\\s*\\{`, 'g');
  for (;;) {
    re.lastIndex = 0;
    const m = re.exec(s);
    if (!m) return s;
    const open = m.index + m[0].length;
    const close = closingBrace(s, open);
    if (close < 0) return s.slice(0, m.index) + s.slice(open);
    s = s.slice(0, m.index) + s.slice(open, close) + s.slice(close + 1);
  }
}

const TEXT_COMMANDS = [
  'text',
  'textbf',
  'textit',
  'textrm',
  'mathrm',
  'mathbf',
  'mathit',
  'mbox',
  'operatorname',
  'boldsymbol',
];

// Units MATH, GSM8K and AIME answers are written with; they carry no value.
const UNITS = [
  'units?',
  'square units?',
  'sq\\.? units?',
  'cubic units?',
  'cm',
  'centimet(?:er|re)s?',
  'mm',
  'millimet(?:er|re)s?',
  'km',
  'kilomet(?:er|re)s?',
  'm',
  'met(?:er|re)s?',
  'inch(?:es)?',
  'in',
  'f(?:ee|oo)t',
  'ft',
  'yards?',
  'miles?',
  'mph',
  'miles per hour',
  'km/h',
  'kg',
  'kilograms?',
  'g',
  'grams?',
  'pounds?',
  'lbs?',
  'ounces?',
  'oz',
  'liters?',
  'litres?',
  'ml',
  'gallons?',
  'cups?',
  'seconds?',
  'sec',
  's',
  'minutes?',
  'mins?',
  'hours?',
  'hrs?',
  'days?',
  'weeks?',
  'months?',
  'years?',
  'dollars?',
  'cents?',
  'degrees?',
  'radians?',
  'percent',
  'people',
  'students?',
  'points?',
  'ways?',
  'times',
];
const UNIT_SUFFIX = new RegExp(
  `(?<=[\\d}).])\\s*(?:${UNITS.join('|')})(?:\\s*\\^\\s*\\{?[23]\\}?|²|³)?\\s*$`,
  'i',
);

/** Strips `$..$`, `\(..\)`, `\[..\]` and `\boxed{}` around the whole answer. */
function stripWrappers(s: string): string {
  let prev = '';
  while (prev !== s) {
    prev = s;
    s = s.trim();
    const boxed = /\\(?:boxed|fbox)\s*\{/.test(s) ? lastBoxed(s) : null;
    if (boxed !== null) s = boxed;
    s = s.replace(/^\$+([\s\S]*?)\$+$/, '$1');
    s = s.replace(/^\\\(([\s\S]*)\\\)$/, '$1').replace(/^\\\[([\s\S]*)\\\]$/, '$1');
    s = s.replace(/[.。]+$/, '');
  }
  return s.trim();
}

export function normalizeMath(input: string): NormalizedMath {
  let s = stripWrappers(input);
  s = s.replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])\s*\.?/g, '');
  s = s.replace(/\\(?:displaystyle|textstyle|quad|qquad|!|,|;|:)/g, ' ');
  s = s.replace(/(?<!\\)\\ /g, ' ').replace(/~/g, ' ');
  s = s.replace(/\\[dt]frac/g, '\\frac');
  s = s
    .replace(/\\(?:le|leq|leqslant)(?![a-zA-Z])/g, '<=')
    .replace(/\\(?:ge|geq|geqslant)(?![a-zA-Z])/g, '>=');
  s = s.replace(/\\(?:ne|neq)(?![a-zA-Z])/g, '!=');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree(?![a-zA-Z])/g, '');
  let percent = false;
  s = s.replace(/\\?%|\\percent(?![a-zA-Z])/g, () => {
    percent = true;
    return '';
  });
  s = unwrapCommands(s, TEXT_COMMANDS);
  s = s.replace(/\\\$|\$/g, '');
  s = s.replace(/\{,\}/g, ',');
  s = s.replace(/([_^])\{\s*(\d+|[a-zA-Z])\s*\}/g, '$1$2');
  s = s.replace(/\s+/g, ' ').trim();
  // Answers like "5 cm" or "12 dollars"; only after a digit so "x + y" keeps its letters.
  for (let i = 0; i < 2; i++) s = s.replace(UNIT_SUFFIX, '').trim();
  if (/\bpercent$/i.test(s)) {
    percent = true;
    s = s.replace(/\s*percent$/i, '');
  }
  // "x = 5" answers the question as well as "5" does; a longer left side is an equation to keep.
  const eq = /^[a-zA-Z](?:_\{?\w+\}?)?\s*=\s*([^=]+)$/.exec(s);
  if (eq?.[1]) s = eq[1].trim();
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  // Spaces only matter between words ("New York"); "3 \sqrt{2}" and "3\sqrt{2}" are the same.
  s = s.replace(/(?<=[^a-zA-Z])\s+|\s+(?=[^a-zA-Z])/g, '');
  s = s.replace(/[.]+$/, '').trim();
  return { text: s, percent };
}
