/**
 * `playground distill`: teacher trajectories for agent distillation (PROTOCOL sections 7 and 9).
 * Every trajectory goes to --out; the samples worth training on go to the SFT file.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { getPromptProfile, type PromptProfile } from '../../agent/prompt-profile.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import { runTeacher } from '../../agent/run-teacher.ts';
import { selectSftSamples, type SftVerdict } from '../../agent/sft-export.ts';
import { PlaygroundError } from '../../errors.ts';
import { loadBenchmark } from '../../eval/node/load-benchmark.ts';
import { defaultGrade, questionKey, runEvaluation, type EvalRecord } from '../../eval/runner.ts';
import { APPROXIMATE_NOTE, type QuestionKind } from '../../eval/types.ts';
import {
  addEngineOptions,
  agentSettings,
  createEngine,
  profileOf,
  type EngineCliOptions,
} from '../engine-options.ts';
import { addJudgeOptions, judgeFromOptions, type JudgeCliOptions } from '../judge-options.ts';
import { createCliRetriever, createCliSandbox } from '../sandbox-and-tools.ts';

interface DistillOptions extends EngineCliOptions, JudgeCliOptions {
  questions: string;
  out: string;
  sftOut?: string;
  firstThoughtPrefix: boolean;
  concurrency: number;
  limit?: number;
  kind?: QuestionKind;
  dataDir?: string;
}

/** One line of the trajectories file. */
export interface TrajectoryLine {
  key: string;
  id: string;
  benchmark: string;
  question: string;
  gold: string[];
  answer: string | null;
  correct: boolean;
  verdict: SftVerdict;
  firstThoughtPrefix: string | null;
  cot: RunRecord | null;
  run: RunRecord | null;
  error?: EvalRecord['error'];
}

async function readTrajectories(path: string): Promise<TrajectoryLine[]> {
  if (!existsSync(path)) return [];
  const out: TrajectoryLine[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as TrajectoryLine);
    } catch {
      // a line cut by a crash
    }
  }
  return out;
}

/** Writes the SFT file anew from every trajectory; returns the number of samples. */
export async function rebuildSftFile(
  outPath: string,
  sftPath: string,
  distilled: PromptProfile,
): Promise<number> {
  const samples: string[] = [];
  const seen = new Set<string>();
  for (const t of await readTrajectories(outPath)) {
    if (!t.run || t.error || seen.has(t.key)) continue;
    seen.add(t.key);
    for (const s of selectSftSamples(t.run, t.correct, distilled).samples)
      samples.push(JSON.stringify(s));
  }
  const tmp = `${sftPath}.tmp`;
  await writeFile(tmp, samples.map((s) => s + '\n').join(''));
  await rename(tmp, sftPath);
  return samples.length;
}

async function doneKeys(path: string): Promise<Set<string>> {
  if (!existsSync(path)) return new Set();
  const keys = new Set<string>();
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const parsed = JSON.parse(line) as Partial<TrajectoryLine>;
      // Errors are retried on resume; answered questions are not.
      if (typeof parsed.key === 'string' && !parsed.error) keys.add(parsed.key);
    } catch {
      // A line cut by a crash: the question runs again.
      if (i < lines.length - 1)
        process.stderr.write(`playground: skipping a malformed line ${i + 1} of ${path}\n`);
    }
  });
  return keys;
}

export function register(program: Command): void {
  const cmd = program
    .command('distill')
    .description(
      'Generate teacher trajectories (optionally with the first-thought prefix), grade them, and write an SFT file of the ones worth training on.',
    )
    .requiredOption(
      '--questions <file|name>',
      'questions: a benchmark name or a JSON/JSONL file with id, question, answer',
    )
    .requiredOption(
      '--out <file>',
      'trajectories JSONL (appended; a rerun skips questions already done)',
    )
    .option('--sft-out <file>', 'SFT chat-messages JSONL (default: <out> with .sft.jsonl)')
    .option(
      '--first-thought-prefix',
      "seed step 1 with the first paragraph of the teacher's own CoT answer",
      false,
    )
    .option('--concurrency <n>', 'questions in flight', (v) => Number(v), 4)
    .option('--limit <n>', 'only the first N questions', (v) => Number(v))
    .addOption(
      new Option('--kind <kind>', 'question kind for files outside the registry').choices([
        'math',
        'factual',
      ]),
    )
    .option('--data-dir <dir>', 'benchmark data directory (default: $AGENT_DATA_DIR)');
  // The reference teacher: smolagents' long system prompt with worked examples, greedy decoding.
  addEngineOptions(cmd, { prompt: 'teacher' });
  // Which runs are correct, and so kept, is the grader's call (the paper: its LLM judge).
  addJudgeOptions(cmd);
  cmd.action(async (opts: DistillOptions) => {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 256) {
      throw new PlaygroundError('bad_input', '--concurrency must be a whole number from 1 to 256.');
    }
    const engine = createEngine(opts);
    const profile = profileOf(opts);
    const judge = judgeFromOptions(opts);
    const distilled = getPromptProfile('distilled');
    const outPath = resolve(opts.out);
    const sftPath = resolve(opts.sftOut ?? outPath.replace(/(\.jsonl)?$/, '.sft.jsonl'));
    await mkdir(dirname(outPath), { recursive: true });
    await mkdir(dirname(sftPath), { recursive: true });

    const questions = await loadBenchmark(opts.questions, {
      kind: opts.kind,
      limit: opts.limit,
      dataDir: opts.dataDir,
    });
    if (opts.grader === 'paper' && !judge && questions.some((q) => q.kind === 'factual')) {
      process.stderr.write(
        `no LLM judge (--judge-base-url, --judge-model): factual runs are kept or dropped by the offline rules, ${APPROXIMATE_NOTE}\n`,
      );
    }
    const done = await doneKeys(outPath);
    const retriever = await createCliRetriever(opts);
    const cots = new Map<string, RunRecord>();
    const counts: Record<SftVerdict | 'samples', number> = {
      kept: 0,
      wrong: 0,
      'parse-error': 0,
      'max-steps': 0,
      failed: 0,
      samples: 0,
    };

    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    const bar = new SingleBar({
      format: 'distill |{bar}| {value}/{total} | kept {kept} | {eta_formatted} left',
      stream: process.stderr,
      hideCursor: true,
    });
    try {
      const result = await runEvaluation({
        questions,
        mode: 'agent',
        concurrency: opts.concurrency,
        done,
        signal: controller.signal,
        createSandbox: () => createCliSandbox(opts, retriever),
        grade: defaultGrade({ grader: opts.grader, judge }),
        solve: async (question, { signal, sandbox }) => {
          if (!sandbox) throw new PlaygroundError('internal', 'No sandbox for the agent run.');
          const teacher = await runTeacher({
            question: question.question,
            engine,
            sandbox,
            profile,
            ...agentSettings(opts),
            useFirstThoughtPrefix: opts.firstThoughtPrefix,
            kind: question.kind,
            runId: question.id,
            signal,
          });
          if (teacher.cot) cots.set(questionKey(question), teacher.cot);
          if (teacher.run) return teacher.run;
          throw PlaygroundError.fromSerialized(
            teacher.cot?.error ?? { code: 'internal', message: 'The teacher run did not start.' },
          );
        },
        onEvent: (e) => {
          if (e.type === 'started') bar.start(e.total, 0, { kept: counts.kept });
          if (e.type === 'question-finished') bar.update(e.completed, { kept: counts.kept });
        },
        onRecord: async (record) => {
          const key = questionKey(record);
          const run = record.run ?? null;
          const selection = run
            ? selectSftSamples(run, record.correct, distilled)
            : { verdict: 'failed' as const, samples: [] };
          counts[selection.verdict] += 1;
          counts.samples += selection.samples.length;
          const line: TrajectoryLine = {
            key,
            id: record.id,
            benchmark: record.benchmark,
            question: record.question,
            gold: record.gold,
            answer: record.answer,
            correct: record.correct,
            verdict: selection.verdict,
            firstThoughtPrefix: run?.settings.firstThoughtPrefix ?? null,
            cot: cots.get(key) ?? null,
            run,
            ...(record.error ? { error: record.error } : {}),
          };
          cots.delete(key);
          await appendFile(outPath, JSON.stringify(line) + '\n');
          if (selection.samples.length > 0) {
            await appendFile(
              sftPath,
              selection.samples.map((s) => JSON.stringify(s) + '\n').join(''),
            );
          }
        },
      });
      bar.stop();
      // The trajectories file is the source of truth: rebuilding the SFT file from it drops any
      // sample a crash left behind twice.
      const total = await rebuildSftFile(outPath, sftPath, distilled);
      const c = counts;
      process.stderr.write(
        `${result.records.length} trajectories written to ${outPath} (${done.size} already done)\n` +
          `kept ${c.kept} | wrong ${c.wrong} | parse errors ${c['parse-error']} | max steps ${c['max-steps']} | failed ${c.failed}\n` +
          `${c.samples} new SFT samples; ${total} in ${sftPath}\n`,
      );
      if (result.aborted) process.stderr.write('Stopped: run the same command again to resume.\n');
    } finally {
      bar.stop();
      process.off('SIGINT', onSigint);
    }
  });
}
