/** Node side of benchmark loading: where the data directory is, and reading files from it. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlaygroundError } from '../../errors.ts';
import {
  BENCHMARKS,
  REFERENCE_RAW_BASE,
  benchmarkInfo,
  type BenchmarkInfo,
} from '../benchmarks.ts';
import { parseBenchmark } from '../parse-benchmark.ts';
import type { BenchQuestion, QuestionKind } from '../types.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** --data-dir, else $AGENT_DATA_DIR, else ../shared/data next to the repository. */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env.AGENT_DATA_DIR;
  if (fromEnv) return resolve(fromEnv);
  return resolve(REPO_ROOT, '../shared/data');
}

export function missingDataMessage(missing: readonly BenchmarkInfo[], dataDir: string): string {
  const lines = missing.map((b) => {
    const from = b.remotePath
      ? ` (from ${REFERENCE_RAW_BASE}/${b.remotePath})`
      : ' (GSM8K test: openai/grade-school-math, grade_school_math/data/test.jsonl)';
    return `  ${b.name}: ${join(dataDir, b.file)}${from}`;
  });
  return [
    `Benchmark data missing in ${dataDir}:`,
    ...lines,
    "Run `playground setup --data` to download the paper's test files (needs the network), or copy the files to those paths; set AGENT_DATA_DIR or --data-dir to use another directory.",
  ].join('\n');
}

export interface LoadOptions {
  dataDir?: string;
  /** For files outside the registry; named sets know their kind. */
  kind?: QuestionKind;
  limit?: number;
}

/** A named set (hotpotqa, math500, ...) from the data directory, or any JSON/JSONL file. */
export async function loadBenchmark(
  spec: string,
  options: LoadOptions = {},
): Promise<BenchQuestion[]> {
  const dataDir = resolveDataDir(options.dataDir);
  const info = benchmarkInfo(spec);
  const isFile = existsSync(spec) && statSync(spec).isFile();
  let path: string;
  let name: string;
  if (info && !isFile) {
    path = join(dataDir, info.file);
    name = info.name;
    if (!existsSync(path))
      throw new PlaygroundError('data_missing', missingDataMessage([info], dataDir));
  } else if (isFile) {
    path = resolve(spec);
    name = basename(spec, extname(spec));
  } else {
    throw new PlaygroundError(
      'bad_input',
      `Unknown benchmark "${spec}": give a file path or one of ${BENCHMARKS.map((b) => b.name).join(', ')}.`,
    );
  }
  const text = await readFile(path, 'utf8');
  const questions = parseBenchmark(text, { benchmark: name, kind: options.kind, source: path });
  if (!questions.length) {
    throw new PlaygroundError(
      'bad_input',
      `${path} holds no questions: there is nothing to evaluate. Give a file with at least one {id, question, answer} row.`,
    );
  }
  return options.limit !== undefined ? questions.slice(0, options.limit) : questions;
}

/** Named sets whose file is in the data directory. */
export function availableBenchmarks(dataDir?: string): BenchmarkInfo[] {
  const dir = resolveDataDir(dataDir);
  return BENCHMARKS.filter((b) => existsSync(join(dir, b.file)));
}
