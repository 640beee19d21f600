import { describe, expect, it } from 'vitest';
import type { ChatEngine, ChatRequest } from '../../src/agent/ports.ts';
import {
  goldContained,
  gradeFactual,
  normalizeAnswer,
  tokenF1,
} from '../../src/eval/factual-grader.ts';
import { gradeAnswer } from '../../src/eval/grade.ts';
import { createLlmJudge, parseVerdict } from '../../src/eval/llm-judge.ts';
import { gradeMath, mathEqual } from '../../src/eval/math-grader.ts';
import { normalizeMath } from '../../src/eval/math/normalize.ts';

type Pair = [prediction: string, gold: string, equal: boolean, rule: string];

const MATH_PAIRS: Pair[] = [
  // \boxed{} extraction: the last one, nested braces
  ['so \\boxed{3} then \\boxed{\\frac{1}{2}}', '\\frac12', true, 'last boxed'],
  ['\\boxed{\\frac{\\sqrt{3}}{2}}', '\\frac{\\sqrt3}{2}', true, 'nested braces'],
  ['\\boxed{5} and finally \\boxed{6}', '5', false, 'first boxed is not the answer'],
  ['$\\boxed{42}$', '42', true, 'boxed inside dollars'],
  // fractions
  ['\\dfrac{3}{4}', '0.75', true, 'dfrac vs decimal'],
  ['\\tfrac{1}{3}', '0.3333', true, 'tfrac vs rounded decimal within 1e-4'],
  ['0.33', '\\frac{1}{3}', false, 'decimal too far from fraction'],
  ['3/4', '\\frac{3}{4}', true, 'slash fraction'],
  ['\\frac{14}{3}', '\\frac{28}{6}', true, 'unreduced fraction'],
  ['\\frac{14}{3}', '\\frac{3}{14}', false, 'swapped fraction'],
  ['-\\frac{1}{2}', '\\frac{-1}{2}', true, 'sign placement'],
  // roots, pi
  ['3\\sqrt{13}', '\\sqrt{117}', true, 'sqrt forms'],
  ['11\\sqrt2', '11\\sqrt{2}', true, 'sqrt without braces'],
  ['\\sqrt[3]{8}', '2', true, 'cube root'],
  ['2\\sqrt{2}', '2\\sqrt{3}', false, 'different radicand'],
  ['\\frac{\\pi}{2}', '1.5708', true, 'pi numeric'],
  ['2\\pi', '\\pi', false, 'pi multiple'],
  ['\\pi r^2', 'r^2\\pi', true, 'pi with variable'],
  // \left \right, \text, \mathrm
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})', true, 'left/right tuple'],
  ['\\text{Evelyn}', 'Evelyn', true, 'text wrapper'],
  ['\\mathrm{(C)}', '(C)', true, 'mathrm wrapper'],
  ['\\textbf{odd}', 'odd', true, 'textbf'],
  ['\\text{even}', 'odd', false, 'different words'],
  // units, degrees, dollars
  ['90^\\circ', '90', true, 'degrees ^\\circ'],
  ['90^{\\circ}', '90', true, 'degrees ^{\\circ}'],
  ['45°', '45', true, 'degree sign'],
  ['30^\\circ', '60', false, 'different angles'],
  ['12 \\text{ cm}', '12', true, 'text unit'],
  ['5 inches', '5', true, 'plain unit'],
  ['16 \\text{ square units}', '16', true, 'square units'],
  ['\\$18', '18', true, 'escaped dollar'],
  ['18 dollars', '19', false, 'unit but wrong value'],
  // percentages
  ['50\\%', '50', true, 'percent vs number'],
  ['50\\%', '0.5', true, 'percent vs fraction of one'],
  ['25%', '\\frac{1}{4}', true, 'plain percent sign'],
  ['40\\%', '0.5', false, 'wrong percent'],
  // relative tolerance 1e-4
  ['3.14159', '\\pi', true, 'within 1e-4'],
  ['3.14', '\\pi', false, 'outside 1e-4'],
  ['1000000', '1000050', true, 'relative, not absolute'],
  ['1000000', '1000200', false, 'relative 2e-4 fails'],
  ['0', '0.0', true, 'zero'],
  ['0.0001', '0', false, 'tiny is not zero'],
  // thousands separators
  ['1,000,000', '1000000', true, 'thousands commas'],
  ['\\$1{,}234', '1234', true, 'latex thousands'],
  ['1\\,000', '1000', true, 'thin space thousands'],
  // tuples and intervals element-wise
  ['(1, 2)', '(1,2)', true, 'tuple spacing'],
  ['(2, 1)', '(1, 2)', false, 'tuple order matters'],
  ['(0.5, 3)', '(\\frac12, 3)', true, 'tuple elements numeric'],
  ['[1, 2)', '(1, 2)', false, 'interval brackets matter'],
  ['(-\\infty, 3]', '(-\\infty,3]', true, 'infinite interval'],
  ['\\left[ -\\frac{1}{8}, \\frac{1}{8} \\right]', '[-0.125,0.125]', true, 'interval values'],
  ['(1,2,3)', '(1,2)', false, 'tuple length'],
  ['1, -2', '-2,1', true, 'bare list is a set'],
  ['3, 5, 7', '7,5,3', true, 'bare list any order'],
  ['3, 5', '3,5,7', false, 'missing solution'],
  ['\\{1, 2\\}', '\\{2,1\\}', true, 'set braces unordered'],
  [
    '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}',
    '\\begin{pmatrix}1\\\\2\\end{pmatrix}',
    true,
    'matrix',
  ],
  [
    '\\begin{pmatrix} 1 & 2 \\end{pmatrix}',
    '\\begin{pmatrix} 2 & 1 \\end{pmatrix}',
    false,
    'matrix order',
  ],
  // symbolic (identity at random points)
  ['p - q', '-q + p', true, 'commuted'],
  ['x^2 + 2x + 1', '(x+1)^2', true, 'expanded square'],
  ['2x', 'x^2', false, 'different functions'],
  ['x+1', 'y+1', false, 'different variables'],
  ['6 - 5i', '-5i+6', true, 'complex written in order'],
  ['x = 5', '5', true, 'variable assignment'],
  ['y = 2x + 3', '2x+3', true, 'single-letter left side'],
  // plain-text / python-style agent answers
  ['The answer is 42.', '42', true, 'last number of a sentence'],
  ['It is 41 or 42, I think 41', '42', false, 'last number is wrong'],
  ['42 apples', '42', true, 'a word after the number'],
  ['4343_6', '6', false, 'a subscript is not a sentence around a number'],
  ['3*sqrt(13)', '3\\sqrt{13}', true, 'python syntax vs latex'],
  ['2**10', '1024', true, 'python power'],
  ['52_8', '52_8', true, 'base subscript string'],
  ['52_8', '53_8', false, 'base subscript differs'],
  ['', '5', false, 'empty prediction'],
  ['2^{2023}', '2^2023', true, 'huge power, braces'],
  ['2^{2024}', '2^{2023}', false, 'huge powers do not collapse to Infinity'],
  ['2**2019 - 2020', '2^{2019} - 2020', true, 'python power past float range'],
  ['pi - acos(1/8)', '\\pi -\\arccos \\frac{1}{8}', true, 'python acos vs latex arccos'],
  ['(-oo, 3]', '(-\\infty, 3]', true, 'sympy infinity'],
];

describe('math grader: equivalence table', () => {
  it('has at least 60 pairs with both verdicts', () => {
    expect(MATH_PAIRS.length).toBeGreaterThanOrEqual(60);
    expect(MATH_PAIRS.filter((p) => p[2]).length).toBeGreaterThan(20);
    expect(MATH_PAIRS.filter((p) => !p[2]).length).toBeGreaterThan(20);
  });
  it.each(MATH_PAIRS)('%s vs %s -> %s (%s)', async (pred, gold, equal) => {
    expect(await mathEqual(pred, gold)).toBe(equal);
  });
});

describe('math grader: GSM-Hard float golds', () => {
  it.each([
    ['13138980', '13138980.0', true],
    ['13,138,980', '13138980.0', true],
    ['\\boxed{9435680550}', '9435680550.0', true],
    ['-9867630', '-9867630.0', true],
    ['9867630', '-9867630.0', false],
    ['8', '8.0', true],
    ['8.5', '8.0', false],
    ['21.666666666666668', '21.666666666666664', true],
    ['13138981', '13138980.0', true],
    ['13150000', '13138980.0', false],
  ])('%s vs %s -> %s', async (pred, gold, equal) => {
    expect(await mathEqual(pred, gold)).toBe(equal);
  });
});

describe('math grader: details', () => {
  it('reports the rule that decided and the normalised prediction', async () => {
    const r = await gradeMath('\\boxed{\\dfrac{1}{2}}', ['0.5']);
    expect(r).toMatchObject({
      correct: true,
      method: 'numeric',
      matched: '0.5',
      normalizedPrediction: '\\frac{1}{2}',
    });
  });
  it('normalises wrappers away', () => {
    expect(normalizeMath('$\\left(1, \\dfrac{\\pi}{2}\\right)$.')).toEqual({
      text: '(1,\\frac{\\pi}{2})',
      percent: false,
    });
    expect(normalizeMath('12\\%').percent).toBe(true);
  });
  it('asks the symbolic hook only when its own rules cannot decide', async () => {
    const asked: [string, string][] = [];
    const symbolicEqual = async (a: string, b: string): Promise<boolean> => {
      asked.push([a, b]);
      return true;
    };
    expect((await gradeMath('\\binom{5}{2}', ['10'], { symbolicEqual })).method).toBe('symbolic');
    expect(asked).toEqual([['\\binom{5}{2}', '10']]);
    expect((await gradeMath('0.5', ['\\frac12'], { symbolicEqual })).method).toBe('numeric');
    expect(asked).toHaveLength(1);
  });
  it('a null prediction is incorrect', async () => {
    expect((await gradeMath(null, ['1'])).correct).toBe(false);
  });
});

const FACTUAL_PAIRS: Pair[] = [
  ['The Eiffel Tower', 'eiffel tower', true, 'articles and case'],
  ['Cahiers du Cinéma.', 'Cahiers du cinéma', true, 'accents and punctuation'],
  ['He was born in Denver, Colorado', 'Denver', true, 'gold contained'],
  ['Denverville', 'Denver', false, 'substring is not a token match'],
  ['yes', 'yes', true, 'yes'],
  ['no', 'yes', false, 'no vs yes'],
  ['not known', 'no', false, '"no" is not inside "not"'],
  ['$72,641', '$72,641', true, 'money'],
  ['James Madison', 'james madison', true, 'names'],
  ['Madison', 'James Madison', false, 'partial name is not enough'],
  ['Titan IIIE', 'Titan IIIE rocket', false, 'gold longer than prediction'],
];

describe('factual grader', () => {
  it.each(FACTUAL_PAIRS)('%s vs %s -> %s (%s)', (pred, gold, equal) => {
    expect(gradeFactual(pred, [gold]).correct).toBe(equal);
  });
  it('accepts aliases', () => {
    const r = gradeFactual('Motor City', ['Detroit', 'Detroit, Michigan', 'Motor City']);
    expect(r).toMatchObject({ correct: true, method: 'normalized-match', matched: 'Motor City' });
  });
  it('computes SQuAD token F1', () => {
    expect(tokenF1('the big red dog', 'red dog')).toBeCloseTo((2 / 3 / (2 / 3 + 1)) * 2, 5);
    expect(tokenF1('cat', 'dog')).toBe(0);
    expect(gradeFactual('Madison', ['James Madison']).f1).toBeCloseTo(2 / 3, 5);
  });
  it('normalises like SQuAD', () => {
    expect(normalizeAnswer('  The  U.S. Army! ')).toBe('us army');
    expect(goldContained('It is the U.S. Army.', 'US Army')).toBe(true);
  });
});

function fakeEngine(reply: string, seen: ChatRequest[] = []): ChatEngine {
  return {
    kind: 'fake',
    model: 'judge',
    chat: async (request) => {
      seen.push(request);
      return { choices: [{ text: reply, finishReason: 'stop' }], model: 'judge', latencyMs: 1 };
    },
  };
}

describe('LLM judge', () => {
  it.each([
    ['yes', true],
    ['No.', false],
    ['**Yes**', true],
    ['<think>the gold says no... but yes it matches</think>\nNo', false],
    ['Both refer to the same city. Verdict: yes', true],
    ['The prediction is incorrect.', false],
    ['Correct', true],
  ])('parses %j as %s', (reply, verdict) => {
    expect(parseVerdict(reply)).toBe(verdict);
  });
  it('finds no verdict in chatter', () => {
    expect(parseVerdict('I cannot tell.')).toBeNull();
  });
  it('sends the rubric with question, gold, aliases and prediction', async () => {
    const seen: ChatRequest[] = [];
    const judge = createLlmJudge(fakeEngine('Yes', seen));
    const verdict = await judge('Where?', 'the Motor City', ['Detroit', 'Motor City']);
    expect(verdict.correct).toBe(true);
    const prompt = seen[0]?.messages[1]?.content ?? '';
    expect(prompt).toContain('Question: Where?');
    expect(prompt).toContain('Gold answer: Detroit');
    expect(prompt).toContain('Motor City');
    expect(prompt).toContain('match in meaning');
    expect(seen[0]?.temperature).toBe(0);
  });
  it('overrides the offline rules, and falls back to them when it has no verdict', async () => {
    const yes = await gradeAnswer('factual', 'NYC', ['New York City'], {
      judge: createLlmJudge(fakeEngine('yes')),
      question: 'q',
    });
    expect(yes).toMatchObject({ correct: true, method: 'judge' });
    const mumble = await gradeAnswer('factual', 'New York City', ['New York City'], {
      judge: createLlmJudge(fakeEngine('hmm')),
    });
    expect(mumble).toMatchObject({ correct: true, method: 'normalized-match' });
  });
});
