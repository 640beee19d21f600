/**
 * What a finished (or stopped) browser benchmark run exports: JSON with every graded record and
 * the summary (the CLI's records.jsonl + summary.json in one file), and a Markdown report.
 */
import { runReportMarkdown, type EvalRecord, type RunSummary } from '../../eval/index.ts';
import { ms } from '../lib/format.ts';

export interface BenchSource {
  /** The uploaded file's name. */
  file: string;
  benchmark: string;
  /** How the questions were picked, in words ("the first 20 of 500 questions"). */
  sample: string;
}

export interface BenchExport {
  version: 1;
  kind: 'playground-benchmark-run';
  source: BenchSource;
  summary: RunSummary;
  records: EvalRecord[];
}

export function benchJson(
  source: BenchSource,
  summary: RunSummary,
  records: readonly EvalRecord[],
): string {
  const out: BenchExport = {
    version: 1,
    kind: 'playground-benchmark-run',
    source,
    summary,
    records: [...records],
  };
  return JSON.stringify(out, null, 2) + '\n';
}

/** Table cells are one line and must not close the cell early. */
function cell(s: string, max = 160): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

export function benchMarkdown(
  source: BenchSource,
  summary: RunSummary,
  records: readonly EvalRecord[],
): string {
  const rows = records.map((r, i) =>
    [
      String(i + 1),
      cell(r.question),
      cell(r.gold.join(' / ')),
      r.answer === null ? `*(${r.status})*` : cell(r.answer),
      r.correct ? '✓' : '✗',
      String(r.steps),
      ms(r.durationMs),
    ].join(' | '),
  );
  // The shared report tells CLI users to rerun the command; a browser run is simply rerun.
  const report = runReportMarkdown(summary)
    .trimEnd()
    .replace('incomplete (rerun the same command to resume)', 'stopped before the last question');
  return [
    report,
    '',
    `Questions: ${source.sample} of \`${source.file}\`, asked in the browser.`,
    '',
    '## Questions',
    '',
    '| # | Question | Gold | Answer | Correct | Steps | Time |',
    '| ---: | :--- | :--- | :--- | :---: | ---: | ---: |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}
