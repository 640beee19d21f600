import { describe, expect, it } from 'vitest';
import { gradeMath } from '../../src/eval/math-grader.ts';
import { createSympyEqual, sympyProgram } from '../../src/eval/sympy-equal.ts';
import { cpythonHasSympy as hasSympy, cpythonSandbox } from '../helpers/cpython-sandbox.ts';

describe.skipIf(!hasSympy)('sympy hook over a Python sandbox', { timeout: 180_000 }, () => {
  it('decides equalities symbolically', async () => {
    const sandbox = cpythonSandbox();
    const symbolicEqual = createSympyEqual(sandbox);
    expect(await symbolicEqual('\\sin(x)^2+\\cos(x)^2', '1')).toBe(true);
    expect(await symbolicEqual('(x+1)^2', 'x^2+2x+1')).toBe(true);
    expect(await symbolicEqual('x^2', '2x')).toBe(false);
    expect(sandbox.programs[0]).toContain('parse_expr');
  });
  it('is used by the math grader as the last rule', async () => {
    const symbolicEqual = createSympyEqual(cpythonSandbox());
    // Binomials are outside the built-in evaluator's grammar.
    const r = await gradeMath('\\binom{5}{2}', ['10'], { symbolicEqual });
    expect(r).toMatchObject({ correct: true, method: 'symbolic' });
    expect((await gradeMath('\\binom{5}{2}', ['11'], { symbolicEqual })).correct).toBe(false);
    expect(r).toMatchObject({ correct: true, method: 'symbolic' });
  });
  it('answers unknown when the sandbox fails', async () => {
    const symbolicEqual = createSympyEqual(cpythonSandbox());
    expect(await symbolicEqual('\\unknowncommand{x}', '1')).toBeNull();
  });
});

describe('sympy program', () => {
  it('passes both answers as Python string literals', () => {
    const program = sympyProgram('\\frac{1}{2}', 'a"b');
    expect(program).toContain('"((1)/(2))"');
    expect(program).toContain('"a\\"b"');
  });
});
