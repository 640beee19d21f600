/**
 * word2number's `w2n.word_to_num`, which the reference's `strip_string` applies to every boxed
 * answer ("twenty-one" -> 21; also "x plus one" -> 1, as there). null where it raises.
 */
import {
  pyFloat,
  pyFloatText,
  pyIntText,
  pyIsDigit,
  pySplitWhitespace,
} from './python-builtins.ts';

const WORDS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  thousand: 1000,
  million: 1_000_000,
  billion: 1_000_000_000,
};
const DECIMAL_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];

class NotANumber extends Error {}

function value(word: string): number {
  const v = WORDS[word];
  if (v === undefined) throw new NotANumber(word);
  return v;
}

function numberFormation(words: string[]): number {
  const n = words.map(value);
  const [a, b, c, d] = n;
  if (a === undefined) throw new NotANumber('empty'); // Python: IndexError
  if (n.length === 4) return a * (b ?? 0) + (c ?? 0) + (d ?? 0);
  if (n.length === 3) return a * (b ?? 0) + (c ?? 0);
  if (n.length === 2) return n.includes(100) ? a * (b ?? 0) : a + (b ?? 0);
  return a;
}

/** Python's result: an int (as text) or a float (as text). */
function wordToNum(sentence: string): string {
  const text = sentence.replace(/-/g, ' ').toLowerCase();
  if (pyIsDigit(text)) {
    const int = pyIntText(text);
    if (int === null) throw new NotANumber(text);
    return int;
  }
  let clean = pySplitWhitespace(text).filter((w) => w in WORDS || w === 'point');
  if (!clean.length) throw new NotANumber(text);
  const count = (w: string): number => clean.filter((x) => x === w).length;
  if (count('thousand') > 1 || count('million') > 1 || count('billion') > 1 || count('point') > 1)
    throw new NotANumber(text);
  let decimals: string[] = [];
  if (count('point') === 1) {
    const at = clean.indexOf('point');
    decimals = clean.slice(at + 1);
    clean = clean.slice(0, at);
  }
  const bi = clean.indexOf('billion');
  const mi = clean.indexOf('million');
  const th = clean.indexOf('thousand');
  if ((th > -1 && (th < mi || th < bi)) || (mi > -1 && mi < bi)) throw new NotANumber(text);
  let total = 0;
  if (clean.length === 1) total += value(clean[0] ?? '');
  else if (clean.length > 1) {
    if (bi > -1) total += numberFormation(clean.slice(0, bi)) * 1_000_000_000;
    if (mi > -1) total += numberFormation(clean.slice(bi > -1 ? bi + 1 : 0, mi)) * 1_000_000;
    if (th > -1) {
      const from = mi > -1 ? mi + 1 : bi > -1 ? bi + 1 : 0;
      total += numberFormation(clean.slice(from, th)) * 1000;
    }
    const last = clean.length - 1;
    if (th > -1 && th !== last) total += numberFormation(clean.slice(th + 1));
    else if (mi > -1 && mi !== last) total += numberFormation(clean.slice(mi + 1));
    else if (bi > -1 && bi !== last) total += numberFormation(clean.slice(bi + 1));
    else if (th === -1 && mi === -1 && bi === -1) total += numberFormation(clean);
  }
  if (decimals.length) {
    // get_decimal_sum returns the int 0 for a non-digit word, else a float.
    if (!decimals.every((w) => DECIMAL_WORDS.includes(w))) return String(total);
    const fraction = pyFloat(`0.${decimals.map((w) => value(w)).join('')}`) ?? 0;
    return pyFloatText(total + fraction);
  }
  return String(total);
}

/** `convert_word_number`: the number the text spells, or the text unchanged. */
export function convertWordNumber(text: string): string {
  try {
    return wordToNum(text);
  } catch (err) {
    if (err instanceof NotANumber) return text;
    throw err;
  }
}
