/** `playground report DIR...`: several eval runs side by side, like the paper's Table 2. */
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { PlaygroundError } from '../../errors.ts';
import { gradeAnswer } from '../../eval/grade.ts';
import { readConfig, readRecords, readSummary } from '../../eval/node/run-directory.ts';
import { comparisonMarkdown, comparisonSvg } from '../../eval/report.ts';
import type { EvalRecord } from '../../eval/runner.ts';
import { summarize, type RunSummary } from '../../eval/summary.ts';
import type { SymbolicEqual } from '../../eval/math-grader.ts';
import type { GraderId } from '../../eval/types.ts';
import { addJudgeOptions, judgeFromOptions, type JudgeCliOptions } from '../judge-options.ts';
import { lazySympy, wantSympy } from '../lazy-sympy.ts';

interface ReportCliOptions extends Omit<JudgeCliOptions, 'grader'> {
  out?: string;
  svg?: string;
  labels?: string;
  grader?: GraderId;
  sympy?: boolean;
  pythonPackages?: string;
}

/** The run's answers graded again with another grader (records on disk are left as they are). */
async function regraded(
  dir: string,
  grader: GraderId,
  opts: ReportCliOptions,
  symbolicEqual: SymbolicEqual | undefined,
): Promise<RunSummary> {
  const config = await readConfig(dir);
  if (!config) return readSummary(dir);
  const judge = judgeFromOptions({ ...opts, grader });
  const records: EvalRecord[] = [];
  for (const r of await readRecords(dir)) {
    // A question that never ran (an error) has nothing to grade.
    if (r.status === 'error' && r.answer === null) {
      records.push(r);
      continue;
    }
    const grade = await gradeAnswer(r.kind, r.answer, r.gold, {
      grader,
      judge,
      question: r.question,
      symbolicEqual,
    });
    records.push({ ...r, grade, correct: grade.correct });
  }
  const summary = summarize(
    { ...config, grader, judge: judge ? opts.judgeModel : undefined },
    records,
  );
  summary.complete = (await readSummary(dir)).complete;
  return summary;
}

export function register(program: Command): void {
  const cmd = program
    .command('report')
    .description(
      'Merge eval run directories into one comparison table (rows: benchmarks, columns: runs).',
    )
    .argument('<dirs...>', 'run directories written by `playground eval`')
    .option('--out <file>', 'also write the Markdown table to this file')
    .option('--svg <file>', 'write the bar chart of the same comparison')
    .option('--labels <list>', 'column headings, comma-separated, one per directory');
  // Without --grader the grades stored in each run are shown; with it, every answer is graded again.
  addJudgeOptions(cmd, 'regrade');
  cmd
    .option(
      '--sympy',
      'with --grader: let sympy in a Python sandbox decide math (default with --grader paper)',
    )
    .option('--no-sympy', 'with --grader: grade math without sympy')
    .addOption(
      new Option('--python-packages <dir>', 'pure-Python packages for the sandbox (sympy)')
        .env('PLAYGROUND_PYTHON_PACKAGES')
        .default('/usr/lib/python3/dist-packages'),
    )
    .action(async (dirs: string[], opts: ReportCliOptions) => {
      const labels = opts.labels?.split(',').map((s) => s.trim());
      if (labels && labels.length !== dirs.length) {
        throw new PlaygroundError(
          'bad_input',
          `--labels has ${labels.length} names for ${dirs.length} directories.`,
        );
      }
      const grader = opts.grader;
      const sympy =
        grader && wantSympy(opts.sympy, grader) ? lazySympy(grader, opts.pythonPackages) : null;
      let summaries: RunSummary[];
      try {
        summaries = [];
        for (const d of dirs) {
          summaries.push(
            grader ? await regraded(d, grader, opts, sympy?.symbolicEqual) : await readSummary(d),
          );
        }
      } finally {
        await sympy?.dispose();
      }
      const markdown = comparisonMarkdown(summaries, { labels });
      process.stdout.write(markdown);
      if (opts.out) await writeFile(opts.out, markdown);
      if (opts.svg) await writeFile(opts.svg, comparisonSvg(summaries, { labels }));
    });
}
