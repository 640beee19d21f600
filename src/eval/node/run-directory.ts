/**
 * An evaluation run on disk: config.json, records.jsonl (one line per finished question, appended
 * as it finishes), summary.json, report.md and accuracy.svg. Reopening a directory resumes it.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlaygroundError } from '../../errors.ts';
import { comparisonSvg, runReportMarkdown } from '../report.ts';
import { questionKey, type EvalRecord } from '../runner.ts';
import { latestRecords, summarize, type EvalRunConfig, type RunSummary } from '../summary.ts';

export const RUN_FILES = {
  config: 'config.json',
  records: 'records.jsonl',
  summary: 'summary.json',
  report: 'report.md',
  chart: 'accuracy.svg',
} as const;

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Every complete line; a line cut by a crash is ignored (and repaired on the next append). */
export async function readRecords(dir: string): Promise<EvalRecord[]> {
  const path = join(dir, RUN_FILES.records);
  if (!existsSync(path)) return [];
  const records: EvalRecord[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as EvalRecord;
      if (r.version === 1 && typeof r.id === 'string' && typeof r.benchmark === 'string')
        records.push(r);
    } catch {
      // The partial last line of an interrupted write.
    }
  }
  return records;
}

export async function readConfig(dir: string): Promise<EvalRunConfig | null> {
  const path = join(dir, RUN_FILES.config);
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, 'utf8')) as EvalRunConfig;
}

/** From the records, so a run still going (or killed) reports what it has so far. */
export async function readSummary(dir: string): Promise<RunSummary> {
  const path = join(dir, RUN_FILES.summary);
  const written = existsSync(path)
    ? (JSON.parse(await readFile(path, 'utf8')) as RunSummary)
    : null;
  const config = (await readConfig(dir)) ?? written?.config;
  if (!config) {
    throw new PlaygroundError(
      'not_found',
      `${dir} is not an evaluation run directory (no ${RUN_FILES.summary} or ${RUN_FILES.config}).`,
    );
  }
  const records = await readRecords(dir);
  if (!records.length && written) return written;
  const summary = summarize(config, records, { wallTimeMs: written?.overall.wallTimeMs ?? 0 });
  summary.complete =
    written?.complete === true && written.overall.questions === summary.overall.questions;
  return summary;
}

// Settings that change what the numbers mean: a resumed run must keep them.
const FIXED: (keyof EvalRunConfig)[] = [
  'mode',
  'model',
  'promptProfile',
  'samples',
  'maxSteps',
  'temperature',
  'topP',
  'limit',
  'judge',
  'grader',
];

export interface RunDirectory {
  dir: string;
  config: EvalRunConfig;
  /** Records already on disk when the directory was opened. */
  previous: EvalRecord[];
  /** Question keys a resumed run skips. */
  done: Set<string>;
  append(record: EvalRecord): Promise<void>;
  /** Rewrites summary.json, report.md and accuracy.svg from every record; wallTimeMs is this session's. */
  writeOutputs(options: { complete: boolean; wallTimeMs: number }): Promise<RunSummary>;
}

export async function openRunDirectory(
  dir: string,
  config: EvalRunConfig,
  options: { retryErrors?: boolean } = {},
): Promise<RunDirectory> {
  await mkdir(dir, { recursive: true });
  const existing = await readConfig(dir);
  let effective = config;
  if (existing) {
    // Runs from before graders were selectable were graded by what is now `lenient`.
    const before: EvalRunConfig = { ...existing, grader: existing.grader ?? 'lenient' };
    const now: EvalRunConfig = { ...config, grader: config.grader ?? 'lenient' };
    const changed = FIXED.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k]));
    if (changed.length) {
      throw new PlaygroundError(
        'bad_input',
        `${dir} holds a run with other settings (${changed.map((k) => `${k}: ${JSON.stringify(before[k])} there, ${JSON.stringify(now[k])} now`).join('; ')}). Use another --out directory, or the same settings to resume.`,
      );
    }
    effective = {
      ...existing,
      benchmarks: [...new Set([...existing.benchmarks, ...config.benchmarks])],
    };
  }
  await writeAtomic(join(dir, RUN_FILES.config), JSON.stringify(effective, null, 2) + '\n');

  const recordsPath = join(dir, RUN_FILES.records);
  if (existsSync(recordsPath)) {
    const text = await readFile(recordsPath, 'utf8');
    // Keep a crash's partial line on its own so the next record starts on a fresh line.
    if (text.length && !text.endsWith('\n')) await appendFile(recordsPath, '\n');
  }
  const previous = await readRecords(dir);
  const done = new Set(
    latestRecords(previous)
      .filter((r) => r.status !== 'aborted' && !(options.retryErrors && r.status === 'error'))
      .map(questionKey),
  );
  const all = [...previous];
  const summaryPath = join(dir, RUN_FILES.summary);
  const priorWallMs = existsSync(summaryPath)
    ? ((JSON.parse(await readFile(summaryPath, 'utf8')) as RunSummary).overall.wallTimeMs ?? 0)
    : 0;
  let queue: Promise<void> = Promise.resolve();

  return {
    dir,
    config: effective,
    previous,
    done,
    append(record) {
      all.push(record);
      // One write per line, in order, so concurrent questions never interleave bytes.
      queue = queue.then(() => appendFile(recordsPath, JSON.stringify(record) + '\n'));
      return queue;
    },
    async writeOutputs({ complete, wallTimeMs }) {
      await queue;
      const summary = summarize(effective, all, { complete, wallTimeMs: priorWallMs + wallTimeMs });
      await writeAtomic(join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
      await writeAtomic(
        join(dir, RUN_FILES.report),
        runReportMarkdown(summary, { chartFile: RUN_FILES.chart }),
      );
      await writeAtomic(
        join(dir, RUN_FILES.chart),
        comparisonSvg([summary], { title: `Accuracy: ${effective.label}` }),
      );
      return summary;
    },
  };
}
