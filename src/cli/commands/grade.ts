/** `playground grade`: one prediction against gold; the last line is `correct` or `incorrect`. */
import { Option, type Command } from 'commander';
import { gradeAnswer } from '../../eval/grade.ts';
import { APPROXIMATE_NOTE, type QuestionKind } from '../../eval/types.ts';
import { addJudgeOptions, judgeFromOptions, type JudgeCliOptions } from '../judge-options.ts';
import { lazySympy, wantSympy } from '../lazy-sympy.ts';

interface GradeCliOptions extends JudgeCliOptions {
  kind: QuestionKind;
  pred: string;
  gold: string[];
  question?: string;
  json: boolean;
  sympy?: boolean;
  pythonPackages?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('grade')
    .description(
      'Grade one answer the way `playground eval` does (--grader paper by default; docs/grading.md).',
    )
    .addOption(
      new Option('--kind <kind>', 'math or factual')
        .choices(['math', 'factual'])
        .makeOptionMandatory(),
    )
    .requiredOption('--pred <answer>', 'the predicted answer (a \\boxed{} inside is extracted)')
    .requiredOption(
      '--gold <answer>',
      'the gold answer; repeat for aliases',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--question <text>', 'the question (the LLM judge reads it)')
    .option('--json', 'print the grade details as JSON before the verdict', false)
    .option(
      '--sympy',
      'let sympy in a Python sandbox decide what the rules cannot (default with --grader paper, whose rules end in sympy)',
    )
    .option('--no-sympy', 'grade math without sympy')
    .addOption(
      new Option('--python-packages <dir>', 'pure-Python packages for the sandbox (sympy)')
        .env('PLAYGROUND_PYTHON_PACKAGES')
        .default('/usr/lib/python3/dist-packages'),
    );
  addJudgeOptions(cmd).action(async (opts: GradeCliOptions) => {
    const judge = judgeFromOptions(opts);
    const sympy =
      opts.kind === 'math' && wantSympy(opts.sympy, opts.grader)
        ? lazySympy(opts.grader, opts.pythonPackages)
        : null;
    let result;
    try {
      result = await gradeAnswer(opts.kind, opts.pred, opts.gold, {
        judge,
        question: opts.question,
        grader: opts.grader,
        symbolicEqual: sympy?.symbolicEqual,
      });
    } finally {
      await sympy?.dispose();
    }
    const out = (s: string): void => void process.stdout.write(s + '\n');
    if (opts.json) {
      out(
        JSON.stringify(
          { kind: opts.kind, prediction: opts.pred, gold: opts.gold, ...result },
          null,
          2,
        ),
      );
    } else {
      out(
        `grader: ${opts.grader}, method: ${result.method}${result.f1 !== undefined ? `, token F1 ${result.f1.toFixed(2)}` : ''}${result.approximate ? ` (${APPROXIMATE_NOTE})` : ''}`,
      );
    }
    out(result.correct ? 'correct' : 'incorrect');
  });
}
