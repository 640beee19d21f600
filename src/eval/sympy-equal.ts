/**
 * The math grader's symbolic hook over the agent's Python sandbox: sympy decides whether
 * a - b simplifies to zero (the reference grader used sympy too). Any failure means "unknown".
 */
import type { PythonSandbox } from '../python/sandbox.ts';
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

export function createSympyEqual(
  sandbox: PythonSandbox,
  options: { timeoutMs?: number } = {},
): SymbolicEqual {
  return async (a, b) => {
    try {
      const result = await sandbox.execute(sympyProgram(a, b), {
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      if (result.status === 'error') return null;
      const line = result.logs.split('\n').find((l) => l.startsWith(MARK));
      if (!line) return null;
      return line.endsWith(' equal');
    } catch {
      return null;
    }
  };
}
