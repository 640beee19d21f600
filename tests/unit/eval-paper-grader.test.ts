/**
 * The paper grader (--grader paper): score_answers.py's math_equal and extract_answer, its CoT
 * answer extraction and first-thought prefix, and its LLM judge request. The expected values of
 * the math table were produced by running the reference's own qwen_math_grader.math_equal (with
 * symbolic_equal off) on each row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { extractCotAnswer, firstThoughtPrefix } from '../../src/agent/answer-extraction.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { gradeAnswer } from '../../src/eval/grade.ts';
import { createPaperJudge, paperJudgePrompt } from '../../src/eval/paper/judge.ts';
import { paperMathEqual, paperMathPrediction } from '../../src/eval/paper/math-equal.ts';
import { createPaperSympyEqual } from '../../src/eval/sympy-equal.ts';
import { cpythonHasSympy, cpythonSandbox } from '../helpers/cpython-sandbox.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';
import { runCli } from '../helpers/run-cli.ts';

// [prediction, gold, what is compared after extraction, reference verdict]
const MATH_TABLE: [string, string, string, boolean][] = [
  // boxed extraction only when the prediction says boxed
  ['The answer is \\boxed{42}.', '42', '42', true],
  ['The answer is 42.', '42', 'The answer is 42.', false],
  ['42 apples', '42', '42 apples', false],
  ['\\boxed{42 \\text{ apples}}', '42', '42', true],
  // the gold /100 and x100 also count
  ['50', '0.5', '50', true],
  ['0.5', '50', '0.5', true],
  ['5000', '50', '5000', true],
  ['50%', '0.5', '50%', true],
  ['\\boxed{50\\%}', '50', '50', true],
  ['51', '0.5', '51', false],
  // relative tolerance 1e-4 (commas dropped)
  ['3.14159', '3.1416', '3.14159', true],
  ['3.1415', '3.1416', '3.1415', true],
  ['3.14', '3.1416', '3.14', false],
  ['100001', '100000', '100001', true],
  ['100011', '100000', '100011', false],
  ['13138980', '13138980.0', '13138980', true],
  ['1,000', '1000', '1,000', true],
  // tuples and intervals compared element-wise, bracket types ignored
  ['(1,2]', '[1,2)', '(1,2]', true],
  ['[1, 2]', '(1,2)', '[1, 2]', true],
  ['\\boxed{(0.6,2.6667]}', '(0.6, 2.6667]', '(0.6,2.6667]', true],
  ['(1,3)', '(1,2)', '(1,3)', false],
  ['\\left( 3, 4 \\right)', '(3,4)', '\\left( 3, 4 \\right)', true],
  ['(1,2,3)', '(1,2)', '(1,2,3)', false],
  // number words (inside boxed answers, through strip_string)
  ['\\boxed{twenty-one}', '21', '21', true],
  ['\\boxed{one hundred and five}', '105', '105', true],
  ['twenty-one', '21', 'twenty-one', false],
  ['\\boxed{two point five}', '2.5', '2.5', true],
  // a left-hand side of at most two characters is dropped
  ['x = 5', '5', 'x = 5', true],
  ['5', 'x=5', '5', true],
  ['ab = 5', '5', 'ab = 5', true],
  ['abc = 5', '5', 'abc = 5', false],
  ['\\boxed{k = 3}', '3', '3', true],
  ['y = 2x+3', 'y=2x+3', 'y = 2x+3', true],
  // matrices (a bmatrix gold against a pmatrix answer fails, as there)
  [
    '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}',
    '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}',
    '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}',
    false,
  ],
  [
    '\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}',
    '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}',
    '\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}',
    false,
  ],
  // multiple choice
  ['The answer is (B).', 'B', 'The answer is (B).', true],
  ['b', 'B', 'b', true],
  ['C', 'B', 'C', false],
  // strip_string normalisations of a boxed answer
  ['\\boxed{\\dfrac{9}{14}}', '\\frac{9}{14}', '\\frac{9}{14}', true],
  ['\\boxed{9/14}', '\\frac{9}{14}', '\\frac{9}{14}', true],
  ['\\boxed{90^\\circ}', '90', '90', true],
  ['\\boxed{\\$5}', '5', '5', true],
  ['\\boxed{2.000}', '2', '2', true],
  ['\\boxed{3 m}', '3', '3', true],
  ['\\boxed{\\frac12}', '\\frac{1}{2}', '\\frac{1}{2}', true],
  ['\\boxed{3\\sqrt2}', '3\\sqrt{2}', '3\\sqrt{2}', true],
  ['\\boxed{5}  and then \\boxed{7}', '7', '7', true],
  ['Final: \\boxed{-\\infty, 3}', '(-\\infty,3]', '-\\infty,3', false],
  // case, surrounding spaces, empty answers, inf and nan
  ['  NO ', 'no', '  NO ', true],
  ['\\text{East}', 'east', '\\text{East}', true],
  ['', '0', '', false],
  ['inf', 'inf', 'inf', true],
  ['nan', 'nan', 'nan', true],
];

describe('paper grader, math (math_equal without sympy)', () => {
  it.each(MATH_TABLE)('%j against %j', async (pred, gold, compared, expected) => {
    expect(paperMathPrediction(pred)).toBe(compared);
    expect(await paperMathEqual(compared, gold)).toBe(expected);
    const graded = await gradeAnswer('math', pred, [gold], { grader: 'paper' });
    expect(graded).toMatchObject({ correct: expected, grader: 'paper', method: 'math-equal' });
  });

  it('leaves symbolic equality to the hook, and only after the other rules', async () => {
    const asked: [string, string][] = [];
    const symbolicEqual = async (a: string, b: string): Promise<boolean> => {
      asked.push([a, b]);
      return a === '\\frac{1}{2}' && b === '0.5';
    };
    expect(await paperMathEqual('\\frac{1}{2}', '0.5', { symbolicEqual })).toBe(true);
    // Two numbers never reach sympy: the numeric rule decides.
    expect(await paperMathEqual('0.4', '0.5', { symbolicEqual })).toBe(false);
    // One '=' on each side: both sides as "lhs - (rhs)", either sign.
    await paperMathEqual('y = 2x+3', '2x - y = -3', { symbolicEqual });
    expect(asked).toEqual([
      ['\\frac{1}{2}', '0.5'],
      ['y - (2x+3)', '2x - y - (-3)'],
      ['-(y - (2x+3))', '2x - y - (-3)'],
      ['y = 2x+3', '2x - y = -3'],
    ]);
  });
});

// Each check starts a CPython with sympy: slow on a busy machine.
describe.skipIf(!cpythonHasSympy)(
  'paper grader, math with symbolic_equal in Python',
  { timeout: 180_000 },
  () => {
    const symbolicEqual = createPaperSympyEqual(cpythonSandbox());
    it.each([
      ['\\boxed{\\frac{1}{2}}', '0.5', true],
      ['\\boxed{x^2+2x+1}', '(x+1)^2', true],
      ['\\boxed{3\\sqrt{2}}', '\\sqrt{18}', true],
      ['y = 2x+3', '2x - y = -3', true],
      ['\\boxed{\\binom{5}{2}}', '10', true],
      ['\\boxed{\\frac{1+\\sqrt{5}}{2}}', '2', false],
      ['\\boxed{x+1}', 'x+2n+1', false],
    ] as const)('%j against %j', async (pred, gold, expected) => {
      const graded = await gradeAnswer('math', pred, [gold], { grader: 'paper', symbolicEqual });
      expect(graded.correct).toBe(expected);
    });
  },
);

describe('CoT answer extraction (processors/reasoning.py)', () => {
  it.each([
    // [response, factual answer, math answer]
    ['We add.\n\n2+2=4.\n<answer> \\boxed{4} </answer>', '\\boxed{4}', '4'],
    ['<answer>1</answer> then <answer>2</answer>', '1', '1'],
    ['no tag here, the answer is 5\n', 'no tag here, the answer is 5\n', 'notaghere,theansweris5'],
    ['<answer>x = 3</answer>', 'x = 3', '3'],
    ['<answer>two</answer>', 'two', '2'],
    ['Step one.\n\nStep two: \\boxed{7}.', 'Step one.\n\nStep two: \\boxed{7}.', '7'],
    ['Step one.\n\nThe answer is 12 apples', 'Step one.\n\nThe answer is 12 apples', '12'],
    ['<answer>50%</answer>', '50%', '50'],
    ['<answer>a}b</answer>', 'a}b', 'a'],
    ['<answer>Paris</answer>', 'Paris', 'Paris'],
  ])('%j', (response, factual, math) => {
    expect(extractCotAnswer(response, 'factual')).toBe(factual);
    expect(extractCotAnswer(response, 'math')).toBe(math);
  });
});

describe('first-thought prefix (build_prefix_memory.py)', () => {
  it.each([
    ['First idea.\nStill first.\n\nSecond.', 'Thought: First idea.\nStill first.\n\n'],
    // Nothing is trimmed: leading blank lines give an empty first paragraph, spaces stay.
    ['\n\nLate start.', 'Thought: \n\n'],
    ['  indented  \n\nrest', 'Thought:   indented  \n\n'],
    ['one paragraph only', 'Thought: one paragraph only\n\n'],
  ])('%j', (response, prefix) => {
    expect(firstThoughtPrefix(response)).toBe(prefix);
  });
});

const JUDGE_BYTES = `Compare the following predicted answer with the gold (correct) answer and determine if they match in meaning given the question.
Be reasonable - phrasing differences are okay if the core meaning is the same. You should accept the aliases and the answer conveying the same conclusion.
If the predicted answer is overly verbose and fails to capture the key information found in the gold answer (i.e., low recall), consider it a false answer.

Question: Which city hosts the Eiffel Tower?
Predicted answer: It is in Paris, France.
Gold answer: Paris

Output your evaluation as a JSON object with two fields:
- explanation: Brief explanation of your scoring decision
- score: 0 or 1 indicating if answers match
`;

describe('paper grader, factual: the LLM judge of score_answers.py', () => {
  let server: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the one user message byte for byte with the JSON schema, and reads the score', async () => {
    server = await startFakeOpenAIServer({
      script: ['{"explanation": "Both name Paris.", "score": 1}'],
    });
    const judge = createPaperJudge(
      createOpenAIEngine({ baseUrl: server.baseUrl, model: 'gpt-4o-mini' }),
    );
    const graded = await gradeAnswer(
      'factual',
      'It is in Paris, France.',
      ['Paris', 'City of Light'],
      {
        grader: 'paper',
        judge,
        question: 'Which city hosts the Eiffel Tower?',
      },
    );
    expect(graded).toMatchObject({ correct: true, method: 'judge', grader: 'paper' });
    expect(graded.approximate).toBeUndefined();
    const [request] = server.completionRequests();
    const body = request?.body ?? {};
    expect(body.messages).toEqual([{ role: 'user', content: JUDGE_BYTES }]);
    expect(
      paperJudgePrompt('Which city hosts the Eiffel Tower?', 'It is in Paris, France.', 'Paris'),
    ).toBe(JUDGE_BYTES);
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'ResponseFormat',
        schema: {
          properties: {
            explanation: { title: 'Explanation', type: 'string' },
            score: { title: 'Score', type: 'integer' },
          },
          required: ['explanation', 'score'],
          title: 'ResponseFormat',
          type: 'object',
          additionalProperties: false,
        },
        strict: true,
      },
    });
    // The reference set no sampling parameters for the judge.
    expect(Object.keys(body).sort()).toEqual(['messages', 'model', 'response_format']);
  });

  it('score 0 is incorrect; a missing answer is judged as "None"; a long one is not cut', async () => {
    const long = 'word '.repeat(400);
    server = await startFakeOpenAIServer({
      script: ['{"explanation": "no", "score": 0}', '{"explanation": "no", "score": 0}'],
    });
    const judge = createPaperJudge(createOpenAIEngine({ baseUrl: server.baseUrl, model: 'j' }));
    expect((await gradeAnswer('factual', long, ['Paris'], { judge, question: 'q' })).correct).toBe(
      false,
    );
    expect((await gradeAnswer('factual', null, ['Paris'], { judge, question: 'q' })).correct).toBe(
      false,
    );
    const [first, second] = server
      .completionRequests()
      .map((r) => (r.body.messages as { content: string }[])[0]?.content ?? '');
    expect(first).toContain(`Predicted answer: ${long}\n`);
    expect(second).toContain('Predicted answer: None\n');
  });

  it('without a judge (or with a failing one) the offline rules decide, marked approximate', async () => {
    const offline = await gradeAnswer('factual', 'Paris', ['Paris'], { grader: 'paper' });
    expect(offline).toMatchObject({ correct: true, approximate: true, grader: 'paper' });
    server = await startFakeOpenAIServer({ script: ['I think they match.'] });
    const judge = createPaperJudge(createOpenAIEngine({ baseUrl: server.baseUrl, model: 'j' }));
    const failed = await gradeAnswer('factual', 'Rome', ['Paris'], { judge, question: 'q' });
    expect(failed).toMatchObject({ correct: false, approximate: true });
    const lenient = await gradeAnswer('factual', 'Paris', ['Paris'], { grader: 'lenient' });
    expect(lenient.approximate).toBeUndefined();
  });

  it('`grade` sends the same request and says when no judge was used', async () => {
    server = await startFakeOpenAIServer({ script: ['{"explanation": "same", "score": 1}'] });
    const judged = await runCli([
      'grade',
      '--kind',
      'factual',
      '--question',
      'Which city hosts the Eiffel Tower?',
      '--pred',
      'It is in Paris, France.',
      '--gold',
      'Paris',
      '--judge-base-url',
      server.baseUrl,
      '--judge-model',
      'gpt-4o-mini',
    ]);
    const lines = judged.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^grader: paper, method: judge\b/);
    expect(lines.at(-1)).toBe('correct');
    expect(server.completionRequests()[0]?.body.messages).toEqual([
      { role: 'user', content: JUDGE_BYTES },
    ]);
    const offline = await runCli([
      'grade',
      '--kind',
      'factual',
      '--pred',
      'Paris',
      '--gold',
      'Paris',
    ]);
    expect(offline.stdout).toContain('(approximate: no LLM judge)');
  });
});
