/**
 * The paper's math scoring: `evaluate_math_answer` of unified_framework/score_answers.py (lines
 * 99-133) and the `math_equal` it calls, from math_utils/qwen_math_grader.py (lines 73-268).
 * Symbolic equality is a hook: sympy in the Python sandbox (../sympy-equal.ts).
 */
import type { SymbolicEqual } from '../math-grader.ts';
import { extractAnswer } from '../../agent/math-answer/extract-answer.ts';
import {
  pyCount,
  pyFloat,
  pyIsClose,
  pyLen,
  pyStrip,
  pyStripChars,
} from '../../agent/math-answer/python-builtins.ts';

/** score_answers.py line 124 leaves relative tolerance at the grader's 1e-4 (line 282). */
export const PAPER_RELATIVE_TOLERANCE = 1e-4;

export interface PaperMathOptions {
  /** The reference's `symbolic_equal`; without it only the string and number rules decide. */
  symbolicEqual?: SymbolicEqual;
}

/** `parse_digits`: float() after dropping commas; "50%" and "50\%" are 0.5. */
export function parseDigits(num: string): number | null {
  const s = num.split(',').join('');
  const value = pyFloat(s);
  if (value !== null) return value;
  if (s.endsWith('%')) {
    let t = s.slice(0, -1);
    if (t.endsWith('\\')) t = t.slice(0, -1);
    const v = pyFloat(t);
    if (v !== null) return v / 100;
  }
  return null;
}

/** `choice_answer_clean` of the grader (lines 25-36). */
function choiceAnswerClean(pred: string): string {
  let p = pyStripChars(
    pyStripChars(pyStripChars(pyStripChars(pred, '\n'), '.', 'right'), '/', 'right'),
    ' ',
  );
  p = pyStripChars(p, ':', 'left');
  const letters = p.toUpperCase().match(/\b[A-E]\b/g);
  const last = letters ? (letters[letters.length - 1] ?? '') : pyStripChars(pyStrip(p), '.');
  return pyStripChars(pyStripChars(last, '.', 'right'), '/', 'right');
}

/** `str_to_pmatrix`: "{1,2}" -> \begin{pmatrix}1\2\end{pmatrix}, as the reference writes it. */
function strToPmatrix(input: string): string {
  const matrices = pyStrip(input).match(/\{[^\n]*,[^\n]*\}/g) ?? [];
  return matrices
    .map((m) => `\\begin{pmatrix}${pyStripChars(m, '{}').split(',').join('\\')}\\end{pmatrix}`)
    .join(', ');
}

const MATRIX_OPEN = ['\\begin{pmatrix}', '\\begin{bmatrix}'];
const MATRIX_CLOSE = ['\\end{pmatrix}', '\\end{bmatrix}'];
const isMatrix = (s: string): boolean =>
  MATRIX_OPEN.some((o) => s.startsWith(o)) && MATRIX_CLOSE.some((c) => s.endsWith(c));

function matrixRows(s: string): string[] {
  return s
    .slice('\\begin{pmatrix}'.length, s.length - '\\end{pmatrix}'.length)
    .split('\\\\')
    .map(pyStrip)
    .filter((line) => line !== '');
}

const removeAll = (s: string, parts: readonly string[]): string =>
  parts.reduce((acc, p) => acc.split(p).join(''), s);

async function symbolic(a: string, b: string, options: PaperMathOptions): Promise<boolean> {
  if (!options.symbolicEqual) return false;
  // A timeout or failure counts as "not equal", as call_with_timeout returns False.
  return (await options.symbolicEqual(a, b)) === true;
}

/** `math_equal(prediction, reference)` with include_percentage and is_close on. */
export async function paperMathEqual(
  prediction: string | null,
  reference: string | null,
  options: PaperMathOptions = {},
): Promise<boolean> {
  if (prediction === null || reference === null) return false;
  if (pyStrip(prediction).toLowerCase() === pyStrip(reference).toLowerCase()) return true;
  if (['A', 'B', 'C', 'D', 'E'].includes(reference) && choiceAnswerClean(prediction) === reference)
    return true;

  const p = parseDigits(prediction);
  const r = parseDigits(reference);
  if (p !== null && r !== null) {
    // Percentages either way: the gold divided or multiplied by 100 also counts.
    return [r / 100, r, r * 100].some((item) => pyIsClose(p, item, PAPER_RELATIVE_TOLERANCE));
  }
  if (!prediction) return false;

  let ref = pyStrip(reference);
  const pred = pyStrip(prediction);
  if (pred.includes('pmatrix') && !ref.includes('pmatrix')) ref = strToPmatrix(ref);

  // Brackets and spaces ignored: "(1, 2]" and "[1,2)" compare equal here.
  let predStr = removeAll(pred, ['\\left', '\\right', '\\text']);
  let refStr = removeAll(ref, ['\\left', '\\right', '\\text']);
  if (
    (pred.startsWith('[') && pred.endsWith(']') && !ref.startsWith('(')) ||
    (pred.startsWith('(') && pred.endsWith(')') && !ref.startsWith('['))
  ) {
    predStr = pyStripChars(predStr, '[]()');
    refStr = pyStripChars(refStr, '[]()');
  }
  predStr = removeAll(predStr, ['{', '}', '(', ')', ' ']);
  refStr = removeAll(refStr, ['{', '}', '(', ')', ' ']);
  if (predStr.toLowerCase() === refStr.toLowerCase()) return true;

  // Tuples and intervals element by element, whatever their brackets.
  const bracketed = /^[([][^\n]+[)\]]/;
  if (bracketed.test(pred) && bracketed.test(ref)) {
    const predParts = pred.slice(1, -1).split(',');
    const refParts = ref.slice(1, -1).split(',');
    if (predParts.length === refParts.length) {
      let all = true;
      for (let i = 0; i < predParts.length; i++) {
        if (!(await paperMathEqual(predParts[i] ?? '', refParts[i] ?? '', options))) all = false;
      }
      if (all) return true;
    }
  }

  if (isMatrix(pred) && isMatrix(ref)) {
    const predLines = matrixRows(pred);
    const refLines = matrixRows(ref);
    let matched = predLines.length === refLines.length;
    for (let i = 0; matched && i < predLines.length; i++) {
      const pp = (predLines[i] ?? '').split('&');
      const rp = (refLines[i] ?? '').split('&');
      if (pp.length !== rp.length) {
        matched = false;
        break;
      }
      for (let j = 0; j < pp.length && matched; j++) {
        if (!(await paperMathEqual(pp[j] ?? '', rp[j] ?? '', options))) matched = false;
      }
    }
    if (matched) return true;
  }

  // Equations, and a short left-hand side ("x = 5") dropped against a bare value.
  if (pyCount(pred, '=') === 1 && pyCount(ref, '=') === 1) {
    const [pl = '', pr = ''] = pred.split('=');
    const [rl = '', rr = ''] = ref.split('=');
    const pe = `${pyStrip(pl)} - (${pyStrip(pr)})`;
    const re = `${pyStrip(rl)} - (${pyStrip(rr)})`;
    if ((await symbolic(pe, re, options)) || (await symbolic(`-(${pe})`, re, options))) return true;
  } else if (
    pyCount(pred, '=') === 1 &&
    pyLen(pyStrip(pred.split('=')[0] ?? '')) <= 2 &&
    !ref.includes('=')
  ) {
    if (await paperMathEqual(pred.split('=')[1] ?? '', ref, options)) return true;
  } else if (
    pyCount(ref, '=') === 1 &&
    pyLen(pyStrip(ref.split('=')[0] ?? '')) <= 2 &&
    !pred.includes('=')
  ) {
    if (await paperMathEqual(pred, ref.split('=')[1] ?? '', options)) return true;
  }

  return symbolic(pred, ref, options);
}

/** What score_answers.py compares: the boxed answer only when the prediction says "boxed". */
export function paperMathPrediction(prediction: string): string {
  return prediction.includes('boxed') ? extractAnswer(prediction) : prediction;
}
