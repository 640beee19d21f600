/**
 * Markdown and SVG views of run summaries: one run's report, and the comparison of several runs
 * laid out like the paper's Table 2 (factual sets, then math sets, then the average).
 */
import { BENCHMARKS } from './benchmarks.ts';
import type { BenchmarkSummary, RunSummary } from './summary.ts';
import { barChartSvg } from './svg-chart.ts';
import { APPROXIMATE_NOTE } from './types.ts';

const pct = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
const marked = (text: string, approximate: boolean | undefined): string =>
  approximate ? `${text} (${APPROXIMATE_NOTE})` : text;

/** How a run was graded, in words. */
export function gradingLine(c: RunSummary['config']): string {
  if ((c.grader ?? 'lenient') === 'lenient')
    return "lenient (the playground's offline rules, docs/grading.md)";
  return c.judge
    ? `paper (math_equal; factual answers by LLM judge \`${c.judge}\`)`
    : `paper (math_equal; factual answers by the offline rules: ${APPROXIMATE_NOTE})`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = s / 60;
  return m < 120 ? `${m.toFixed(1)} min` : `${(m / 60).toFixed(1)} h`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i ? '---:' : ':---'))), ...rows.map(line)].join(
    '\n',
  );
}

/** report.md of one run directory. */
export function runReportMarkdown(
  summary: RunSummary,
  options: { chartFile?: string } = {},
): string {
  const c = summary.config;
  const o = summary.overall;
  const settings = [
    `- model: \`${c.model}\` (${c.engine}${c.baseUrl ? `, ${c.baseUrl}` : ''}), prompt profile \`${c.promptProfile}\``,
    `- mode: ${c.mode}${c.mode === 'agent' ? `, ${c.samples === 1 ? 'single sample' : `SAG with ${c.samples} samples`}, max ${c.maxSteps} steps` : ''}`,
    `- benchmarks: ${c.benchmarks.join(', ')}${c.limit !== undefined ? ` (first ${c.limit} questions each)` : ''}`,
    `- grading: ${gradingLine(c)}`,
    `- status: ${summary.complete ? 'complete' : 'incomplete (rerun the same command to resume)'}, updated ${summary.updatedAt}`,
  ];
  const rows = summary.benchmarks.map((b: BenchmarkSummary) => [
    b.label,
    String(b.questions),
    marked(`**${pct(b.accuracy)}**`, b.approximate),
    pct(b.meanF1),
    b.meanSteps.toFixed(2),
    b.meanCodeExecutions.toFixed(2),
    b.meanToolCalls.toFixed(2),
    String(b.parseErrors),
    String(b.fallbacks),
    String(b.errors),
    `${b.promptTokens} / ${b.completionTokens}`,
    duration(b.meanTimeMs),
  ]);
  rows.push([
    '**All**',
    String(o.questions),
    marked(`**${pct(o.accuracy)}**`, o.approximate),
    '',
    '',
    '',
    '',
    String(o.parseErrors),
    String(o.fallbacks),
    String(o.errors),
    `${o.promptTokens} / ${o.completionTokens}`,
    duration(o.questions ? Math.round(o.totalTimeMs / o.questions) : 0),
  ]);
  return (
    [
      `# Evaluation: ${c.label}`,
      '',
      ...settings,
      '',
      table(
        [
          'Benchmark',
          'Questions',
          'Accuracy %',
          'Token F1 %',
          'Mean steps',
          'Code runs / q',
          'Tool calls / q',
          'Parse errors',
          'Max-steps fallbacks',
          'Errors',
          'Tokens (prompt / completion)',
          'Mean time / q',
        ],
        rows,
      ),
      '',
      `Average accuracy over the ${summary.benchmarks.length} benchmark(s): **${marked(pct(o.averageAccuracy), o.approximate)}** (the paper's Table 2 averages its eight benchmarks this way). Wall time ${duration(o.wallTimeMs)}.`,
      options.chartFile ? `\n![Accuracy per benchmark](${options.chartFile})` : '',
    ].join('\n') + '\n'
  );
}

interface Row {
  label: string;
  values: (number | null)[];
  /** Per run: the value stands in for the paper's LLM judge. */
  approximate: boolean[];
}

/** Rows in Table 2 order: factual, math, then other sets, then the average of the paper's eight. */
function comparisonRows(summaries: readonly RunSummary[]): {
  sections: { title: string; rows: Row[] }[];
  average: Row;
} {
  const names = new Set(summaries.flatMap((s) => s.benchmarks.map((b) => b.benchmark)));
  const value = (s: RunSummary, name: string): number | null =>
    s.benchmarks.find((b) => b.benchmark === name)?.accuracy ?? null;
  const approximateIn = (s: RunSummary, name: string): boolean =>
    s.benchmarks.find((b) => b.benchmark === name)?.approximate === true;
  const rowOf = (name: string, label: string): Row => ({
    label,
    values: summaries.map((s) => value(s, name)),
    approximate: summaries.map((s) => approximateIn(s, name)),
  });
  const paper = BENCHMARKS.filter((b) => b.paper && names.has(b.name));
  const sections = [
    {
      title: 'Factual reasoning',
      rows: paper
        .filter((b) => b.kind === 'factual')
        .map((b) => rowOf(b.name, b.inDomain ? `${b.label} (in-domain)` : b.label)),
    },
    {
      title: 'Math reasoning',
      rows: paper
        .filter((b) => b.kind === 'math')
        .map((b) => rowOf(b.name, b.inDomain ? `${b.label} (in-domain)` : b.label)),
    },
    {
      title: 'Other',
      rows: [...names]
        .filter((n) => !paper.some((b) => b.name === n))
        .sort()
        .map((n) =>
          rowOf(
            n,
            summaries.flatMap((s) => s.benchmarks).find((b) => b.benchmark === n)?.label ?? n,
          ),
        ),
    },
  ].filter((s) => s.rows.length);
  // The paper averages its eight sets; runs on other sets average what they have.
  const averaged = paper.length ? paper.map((b) => b.name) : [...names];
  const average: Row = {
    label: paper.length ? 'Average (paper sets)' : 'Average',
    values: summaries.map((s) => {
      const vs = averaged.map((n) => value(s, n)).filter((v): v is number => v !== null);
      return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
    }),
    approximate: summaries.map((s) => averaged.some((n) => approximateIn(s, n))),
  };
  return { sections, average };
}

export interface ComparisonOptions {
  /** Column headings; default each run's label. */
  labels?: string[];
}

/** Rows: benchmarks; columns: runs; the best value of each row in bold. */
export function comparisonMarkdown(
  summaries: readonly RunSummary[],
  options: ComparisonOptions = {},
): string {
  const labels = options.labels ?? summaries.map((s) => s.config.label);
  const { sections, average } = comparisonRows(summaries);
  const cells = (row: Row): string[] => {
    const best = Math.max(...row.values.map((v) => v ?? -1));
    return row.values.map((v, i) =>
      v === null
        ? '–'
        : marked(v === best && summaries.length > 1 ? `**${pct(v)}**` : pct(v), row.approximate[i]),
    );
  };
  const rows: string[][] = [];
  for (const section of sections) {
    rows.push([`*${section.title}*`, ...labels.map(() => '')]);
    for (const row of section.rows) rows.push([row.label, ...cells(row)]);
  }
  const counts = summaries.map(
    (s) =>
      s.benchmarks.filter((b) => BENCHMARKS.some((p) => p.paper && p.name === b.benchmark)).length,
  );
  const partial = (c: string, i: number): string =>
    average.label.includes('paper') && counts[i] !== 8 && c !== '–' ? `${c} (${counts[i]}/8)` : c;
  rows.push([average.label.replace('Average', '**Average**'), ...cells(average).map(partial)]);
  const legend = summaries.map((s, i) => {
    const c = s.config;
    return `${i + 1}. **${labels[i] ?? c.label}**: \`${c.model}\`, ${c.mode}${c.mode === 'agent' ? `, samples ${c.samples}, max steps ${c.maxSteps}` : ''}, prompt \`${c.promptProfile}\`, ${s.overall.questions} questions${s.complete ? '' : ' (incomplete)'}; grading: ${gradingLine(c)}`;
  });
  return [
    '# Accuracy (%) per benchmark',
    '',
    table(['Benchmark', ...labels], rows),
    '',
    'Runs:',
    ...legend,
    '',
  ].join('\n');
}

/** The bar chart of the same comparison: one group per benchmark plus the average. */
export function comparisonSvg(
  summaries: readonly RunSummary[],
  options: ComparisonOptions & { title?: string } = {},
): string {
  const labels = options.labels ?? summaries.map((s) => s.config.label);
  const { sections, average } = comparisonRows(summaries);
  const rows = [
    ...sections.flatMap((s) => s.rows),
    ...(summaries.some((s) => s.benchmarks.length > 1) ? [average] : []),
  ];
  return barChartSvg({
    title: options.title ?? 'Accuracy per benchmark',
    yLabel: 'accuracy %',
    groups: rows.map((r) => r.label.replace(/ \((?:in-domain|paper sets)\)/, '')),
    series: labels.map((name, i) => ({
      name,
      values: rows.map((r) => r.values[i] ?? null),
      approximate: rows.map((r) => r.approximate[i] === true),
    })),
  });
}
