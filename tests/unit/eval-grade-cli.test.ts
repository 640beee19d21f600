import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const { code, stdout } = await runCli(args);
  return { code, lines: stdout.trimEnd().split('\n') };
}

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('playground grade', () => {
  it('prints correct as the last line for an equivalent math answer', async () => {
    const { code, lines } = await run([
      'grade',
      '--kind',
      'math',
      '--pred',
      'so \\boxed{\\dfrac{1}{2}}',
      '--gold',
      '0.5',
      '--grader',
      'lenient',
    ]);
    expect(code).toBe(0);
    expect(lines.at(-1)).toBe('correct');
  });
  it('prints incorrect as the last line, also after JSON', async () => {
    const { lines } = await run([
      'grade',
      '--kind',
      'factual',
      '--pred',
      'Rome',
      '--gold',
      'Paris',
      '--json',
    ]);
    expect(lines.at(-1)).toBe('incorrect');
    const json = JSON.parse(lines.slice(0, -1).join('\n')) as { method: string; f1: number };
    expect(json).toMatchObject({ correct: false, f1: 0 });
  });
  it('accepts aliases through a repeated --gold', async () => {
    const { lines } = await run([
      'grade',
      '--kind',
      'factual',
      '--pred',
      'Motor City',
      '--gold',
      'Detroit',
      '--gold',
      'Motor City',
    ]);
    expect(lines.at(-1)).toBe('correct');
  });
  it('asks an LLM judge over an OpenAI-compatible endpoint', async () => {
    server = await startFakeOpenAIServer({ script: ['Yes, they match.'] });
    const { lines } = await run([
      'grade',
      '--kind',
      'factual',
      '--pred',
      'NYC',
      '--gold',
      'New York City',
      '--question',
      'Which city?',
      '--judge-base-url',
      server.baseUrl,
      '--judge-model',
      'judge',
      '--grader',
      'lenient',
    ]);
    expect(lines.at(-1)).toBe('correct');
    expect(server.completionRequests()).toHaveLength(1);
  });
  it.skipIf(!existsSync('/usr/lib/python3/dist-packages/sympy/__init__.py'))(
    'asks sympy in the sandbox with --sympy',
    async () => {
      const without = await run([
        'grade',
        '--kind',
        'math',
        '--pred',
        '\\binom{5}{2}',
        '--gold',
        '10',
        '--grader',
        'lenient',
      ]);
      expect(without.lines.at(-1)).toBe('incorrect');
      const { lines } = await run([
        'grade',
        '--kind',
        'math',
        '--pred',
        '\\binom{5}{2}',
        '--gold',
        '10',
        '--sympy',
        '--grader',
        'lenient',
      ]);
      expect(lines).toEqual(['grader: lenient, method: symbolic', 'correct']);
      // The paper grader reaches sympy last too (its symbolic_equal).
      const paper = await run([
        'grade',
        '--kind',
        'math',
        '--pred',
        '\\binom{5}{2}',
        '--gold',
        '10',
        '--sympy',
      ]);
      expect(paper.lines).toEqual(['grader: paper, method: math-equal', 'correct']);
    },
    // Two Pyodide start-ups: slow on a busy machine.
    240_000,
  );
  it('rejects a missing --kind as bad usage', async () => {
    const { code } = await run(['grade', '--pred', '1', '--gold', '1']);
    expect(code).toBe(2);
  });
});
