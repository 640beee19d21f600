/**
 * The math grader's symbolic hook over the agent's Python sandbox: sympy decides whether
 * a - b simplifies to zero (the reference grader used sympy too). Any failure means "unknown".
 */
import type { PythonSandbox } from '../agent/ports.ts';
import { latexToPlain } from './math/expression.ts';
import type { SymbolicEqual } from './math-grader.ts';

const MARK = '__sympy_equal__';

/** Python that prints MARK + equal|different; parse_latex is tried only where antlr4 exists. */
export function sympyProgram(a: string, b: string): string {
  const pa = latexToPlain(a);
  const pb = latexToPlain(b);
  const lines = [
    'import sympy',
    'from sympy.parsing.sympy_parser import parse_expr, standard_transformations, implicit_multiplication_application, convert_xor',
    '_sq_t = standard_transformations + (implicit_multiplication_application, convert_xor)',
    `_sq_a = ${pa === null ? `sympy.parsing.latex.parse_latex(${JSON.stringify(a)})` : `parse_expr(${JSON.stringify(pa.replace(/\binf\b/g, 'oo'))}, transformations=_sq_t)`}`,
    `_sq_b = ${pb === null ? `sympy.parsing.latex.parse_latex(${JSON.stringify(b)})` : `parse_expr(${JSON.stringify(pb.replace(/\binf\b/g, 'oo'))}, transformations=_sq_t)`}`,
    '_sq_d = sympy.simplify(_sq_a - _sq_b)',
    `print(${JSON.stringify(MARK)}, 'equal' if _sq_d == 0 or _sq_a.equals(_sq_b) is True else 'different')`,
  ];
  if (pa === null || pb === null) lines.splice(1, 0, 'import sympy.parsing.latex');
  return lines.join('\n');
}

/** Spellings latex2sympy reads as their plain forms (\dfrac, \left(, thin spaces). */
function latexSpelling(s: string): string {
  return s
    .replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac')
    .replace(/\\(?:left|right)(?![a-zA-Z])/g, '')
    .replace(/\\[!,;: ]/g, '');
}

/**
 * The reference's `symbolic_equal` (math_utils/qwen_math_grader.py lines 285-338): parse each side
 * (parse_latex, parse_expr, latex2sympy in turn, the text itself when all fail), then direct
 * equality, `equals` or `simplify(a - b) == 0`, equal equations, numbers within 1e-4, matrices
 * rounded to 3 places. The sandbox has no antlr4 and no latex2sympy2: parse_latex fails there as it
 * did in the reference's environment (antlr 4.7 pinned by latex2sympy2), and our LaTeX-to-infix
 * reading with sympy's implicit multiplication stands in for latex2sympy.
 */
export function paperSympyProgram(a: string, b: string): string {
  const literal = (s: string | null): string => (s === null ? 'None' : JSON.stringify(s));
  const side = (s: string): string => {
    const unescaped = s.split('\\\\').join('\\');
    const plain = [latexToPlain(latexSpelling(unescaped)), latexToPlain(latexSpelling(s))].map(
      (p) => (p === null ? null : p.replace(/\binf\b/g, 'oo')),
    );
    return `[${literal(unescaped)}, ${literal(s)}], [${plain.map(literal).join(', ')}], ${literal(s)}`;
  };
  return [
    'import math',
    'import sympy',
    'from sympy.parsing.sympy_parser import parse_expr, standard_transformations, implicit_multiplication_application, convert_xor',
    '_pq_t = standard_transformations + (implicit_multiplication_application, convert_xor)',
    'def _pq_parse(raw, plain, original):',
    '    for text in raw:',
    '        try:',
    '            return parse_expr(text)',
    '        except Exception:',
    '            pass',
    '    for text in plain:',
    '        if text is None:',
    '            continue',
    '        try:',
    '            return parse_expr(text, transformations=_pq_t)',
    '        except Exception:',
    '            pass',
    '    return original',
    'def _pq_equal(a, b):',
    '    try:',
    '        if str(a) == str(b) or a == b:',
    '            return True',
    '    except Exception:',
    '        pass',
    '    try:',
    '        if a.equals(b) or sympy.simplify(a - b) == 0:',
    '            return True',
    '    except Exception:',
    '        pass',
    '    try:',
    '        if (abs(a.lhs - a.rhs)).equals(abs(b.lhs - b.rhs)):',
    '            return True',
    '    except Exception:',
    '        pass',
    '    try:',
    '        if math.isclose(float(sympy.N(b)), float(sympy.N(a)), rel_tol=1e-4):',
    '            return True',
    '    except Exception:',
    '        pass',
    '    try:',
    '        if a.shape == b.shape:',
    '            if a.applyfunc(lambda x: round(x, 3)).equals(b.applyfunc(lambda x: round(x, 3))):',
    '                return True',
    '    except Exception:',
    '        pass',
    '    return False',
    `_pq_result = _pq_equal(_pq_parse(${side(a)}), _pq_parse(${side(b)}))`,
    `print(${JSON.stringify(MARK)}, 'equal' if _pq_result else 'different')`,
  ].join('\n');
}

/** How long the paper's symbolic check may take before it counts as "not equal". */
export const PAPER_SYMPY_TIMEOUT_MS = 5_000;

/** The paper grader's hook: true or false, never unknown (a timeout is false, as there). */
export function createPaperSympyEqual(
  sandbox: PythonSandbox,
  options: { timeoutMs?: number } = {},
): SymbolicEqual {
  const run = runner(sandbox, paperSympyProgram, options.timeoutMs ?? PAPER_SYMPY_TIMEOUT_MS);
  return async (a, b) => (await run(a, b)) === true;
}

export function createSympyEqual(
  sandbox: PythonSandbox,
  options: { timeoutMs?: number } = {},
): SymbolicEqual {
  return runner(sandbox, sympyProgram, options.timeoutMs ?? 10_000);
}

// Importing sympy takes seconds in Pyodide (more on a busy machine): it gets its own generous
// limit, so the check's limit measures the check alone, as the reference's 1 s process did.
const WARM_UP = 'import sympy\nfrom sympy.parsing.sympy_parser import parse_expr';
const WARM_UP_TIMEOUT_MS = 120_000;

function runner(
  sandbox: PythonSandbox,
  program: (a: string, b: string) => string,
  timeoutMs: number,
): SymbolicEqual {
  let warmed = false;
  return async (a, b) => {
    try {
      if (!warmed) {
        const warm = await sandbox.execute(WARM_UP, { timeoutMs: WARM_UP_TIMEOUT_MS });
        if (warm.status === 'error') return null;
        warmed = true;
      }
      const result = await sandbox.execute(program(a, b), { timeoutMs });
      // A timeout may restart the interpreter: import again before the next check.
      if (result.status === 'error') {
        warmed = false;
        return null;
      }
      const line = result.logs.split('\n').find((l) => l.startsWith(MARK));
      if (!line) return null;
      return line.endsWith(' equal');
    } catch {
      return null;
    }
  };
}
