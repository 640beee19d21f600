/** `playground report DIR...`: several eval runs side by side, like the paper's Table 2. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PlaygroundError } from '../../errors.ts';
import { readSummary } from '../../eval/node/run-directory.ts';
import { comparisonMarkdown, comparisonSvg } from '../../eval/report.ts';

interface ReportCliOptions {
  out?: string;
  svg?: string;
  labels?: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Merge eval run directories into one comparison table (rows: benchmarks, columns: runs).',
    )
    .argument('<dirs...>', 'run directories written by `playground eval`')
    .option('--out <file>', 'also write the Markdown table to this file')
    .option('--svg <file>', 'write the bar chart of the same comparison')
    .option('--labels <list>', 'column headings, comma-separated, one per directory')
    .action(async (dirs: string[], opts: ReportCliOptions) => {
      const summaries = await Promise.all(dirs.map((d) => readSummary(d)));
      const labels = opts.labels?.split(',').map((s) => s.trim());
      if (labels && labels.length !== dirs.length) {
        throw new PlaygroundError(
          'bad_input',
          `--labels has ${labels.length} names for ${dirs.length} directories.`,
        );
      }
      const markdown = comparisonMarkdown(summaries, { labels });
      process.stdout.write(markdown);
      if (opts.out) await writeFile(opts.out, markdown);
      if (opts.svg) await writeFile(opts.svg, comparisonSvg(summaries, { labels }));
    });
}
