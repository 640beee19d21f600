/**
 * `playground eval`: a benchmark (or several) through the agent or CoT against an
 * OpenAI-compatible server, into a resumable run directory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { runQuestion } from '../../agent/run-question.ts';
import type { AgentMode } from '../../agent/run-record.ts';
import { PlaygroundError } from '../../errors.ts';
import { BENCHMARKS, benchmarkInfo } from '../../eval/benchmarks.ts';
import {
  loadBenchmark,
  missingDataMessage,
  resolveDataDir,
} from '../../eval/node/load-benchmark.ts';
import { RUN_FILES, openRunDirectory } from '../../eval/node/run-directory.ts';
import { defaultGrade, runEvaluation, type RunnerEvent, type SolveFn } from '../../eval/runner.ts';
import type { EvalRunConfig } from '../../eval/summary.ts';
import { APPROXIMATE_NOTE, type BenchQuestion, type QuestionKind } from '../../eval/types.ts';
import {
  addEngineOptions,
  agentSettings,
  createEngine,
  profileOf,
  type EngineCliOptions,
} from '../engine-options.ts';
import { addJudgeOptions, judgeFromOptions, type JudgeCliOptions } from '../judge-options.ts';
import { createCliRetriever, createCliSandbox } from '../sandbox-and-tools.ts';

interface EvalCliOptions extends EngineCliOptions, JudgeCliOptions {
  bench: string;
  mode: AgentMode;
  out: string;
  limit?: number;
  concurrency: number;
  dataDir?: string;
  kind?: QuestionKind;
  label?: string;
  retryErrors: boolean;
  sympy: boolean;
  trajectories: boolean;
  progress: boolean;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new PlaygroundError(
        'bad_input',
        `${name} must be a whole number >= 1, got "${value}".`,
      );
    return n;
  };
}

/** "paper" = the eight sets of Table 2; "all" adds GSM8K; otherwise names or files, comma-separated. */
export function benchSpecs(bench: string): string[] {
  const specs = bench
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return specs.flatMap((s) =>
    s === 'paper'
      ? BENCHMARKS.filter((b) => b.paper).map((b) => b.name)
      : s === 'all'
        ? BENCHMARKS.map((b) => b.name)
        : [s],
  );
}

async function loadAll(specs: string[], opts: EvalCliOptions): Promise<BenchQuestion[]> {
  const dataDir = resolveDataDir(opts.dataDir);
  const missing = specs
    .filter((s) => !existsSync(s))
    .map((s) => benchmarkInfo(s))
    .filter((b) => b !== undefined && !existsSync(join(dataDir, b.file)));
  if (missing.length)
    throw new PlaygroundError(
      'data_missing',
      missingDataMessage(
        missing.filter((b) => b !== undefined),
        dataDir,
      ),
    );
  const sets = await Promise.all(
    specs.map((s) => loadBenchmark(s, { dataDir, kind: opts.kind, limit: opts.limit })),
  );
  return sets.flat();
}

function defaultLabel(opts: EvalCliOptions): string {
  const model = (opts.model ?? 'model').split('/').pop() ?? 'model';
  return `${model} ${opts.mode}${opts.mode === 'agent' && opts.samples > 1 ? ` SAG×${opts.samples}` : ''}`;
}

/** A bar on a terminal; elsewhere (CI logs) a line every 5%. */
function progressReporter(enabled: boolean): (event: RunnerEvent) => void {
  const tty = process.stderr.isTTY === true;
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      'eval {bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | accuracy {accuracy}% | errors {errors}',
    hideCursor: true,
    etaBuffer: 50,
  });
  let correct = 0;
  let errors = 0;
  let lastPrinted = -1;
  return (event) => {
    if (event.type === 'started' && event.skipped) {
      process.stderr.write(`resuming: ${event.skipped} question(s) already done\n`);
    }
    if (!enabled) return;
    if (event.type === 'started') {
      if (tty) bar.start(event.total, 0, { accuracy: '–', errors: 0 });
    } else if (event.type === 'question-finished') {
      if (event.record.correct) correct++;
      if (event.record.status === 'error') errors++;
      const accuracy = ((100 * correct) / event.completed).toFixed(1);
      if (tty) bar.update(event.completed, { accuracy, errors });
      else {
        const step = Math.floor((20 * event.completed) / Math.max(1, event.total));
        if (step !== lastPrinted) {
          lastPrinted = step;
          process.stderr.write(
            `eval ${event.completed}/${event.total} accuracy ${accuracy}% errors ${errors}\n`,
          );
        }
      }
    } else if (event.type === 'finished' && tty) {
      bar.stop();
    }
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description(
      'Evaluate on benchmarks: per-question records (resumable), summary.json, report.md and accuracy.svg in --out.',
    )
    .requiredOption(
      '--bench <names>',
      'benchmark names or files, comma-separated; "paper" = the eight sets of the paper, "all" adds gsm8k',
    )
    .addOption(
      new Option('--mode <mode>', 'agent or cot').choices(['agent', 'cot']).default('agent'),
    )
    .requiredOption('--out <dir>', 'run directory (rerun the same command to resume it)')
    .option('--limit <n>', 'first n questions of each benchmark', positiveInt('--limit'))
    .option(
      '--concurrency <n>',
      'questions in flight (each with its own Python sandbox)',
      positiveInt('--concurrency'),
      4,
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'where the benchmark files are (default $AGENT_DATA_DIR, else ../shared/data)',
      ),
    )
    .addOption(
      new Option('--kind <kind>', 'question kind for files outside the named sets').choices([
        'math',
        'factual',
      ]),
    )
    .option('--label <text>', 'column heading of this run in reports')
    .option('--retry-errors', 'on resume, ask again the questions that ended in an error', false)
    .option(
      '--no-trajectories',
      'keep only the graded figures per question, not the whole run (smaller files)',
    )
    .option('--no-sympy', 'grade math without sympy in the sandbox')
    .option('--no-progress', 'no progress output');
  addJudgeOptions(cmd);
  addEngineOptions(cmd).action(async (opts: EvalCliOptions) => {
    const questions = await loadAll(benchSpecs(opts.bench), opts);
    const engine = createEngine(opts);
    const profile = profileOf(opts);
    const judge = judgeFromOptions(opts);
    const config: EvalRunConfig = {
      version: 1,
      label: opts.label ?? defaultLabel(opts),
      mode: opts.mode,
      engine: engine.kind,
      model: engine.model,
      baseUrl: opts.baseUrl,
      promptProfile: profile.id,
      samples: opts.mode === 'agent' ? opts.samples : 1,
      maxSteps: opts.mode === 'agent' ? opts.maxSteps : 1,
      temperature: opts.temperature,
      topP: opts.topP,
      benchmarks: [...new Set(questions.map((q) => q.benchmark))],
      limit: opts.limit,
      judge: judge ? opts.judgeModel : undefined,
      grader: opts.grader,
      createdAt: new Date().toISOString(),
    };
    const run = await openRunDirectory(opts.out, config, { retryErrors: opts.retryErrors });

    // Agent runs need a sandbox each; CoT runs only for sympy when math is graded.
    const needSandbox =
      opts.mode === 'agent' || (opts.sympy && questions.some((q) => q.kind === 'math'));
    const retriever = opts.mode === 'agent' ? await createCliRetriever(opts) : null;
    const settings = agentSettings(opts);
    const solve: SolveFn = (q, { signal, sandbox }) =>
      runQuestion({
        mode: opts.mode,
        question: q.question,
        engine,
        sandbox: async () => {
          if (!sandbox) throw new PlaygroundError('internal', 'No sandbox for an agent run.');
          return sandbox;
        },
        profile,
        ...settings,
        kind: q.kind,
        signal,
        runId: q.id,
      });

    const controller = new AbortController();
    const onSigint = (): void => {
      process.stderr.write(
        '\nstopping: questions in flight are dropped, finished ones are kept; rerun the same command to resume\n',
      );
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    if (needSandbox && opts.progress) {
      process.stderr.write(
        `starting up to ${opts.concurrency} Python sandbox(es), one per question in flight\n`,
      );
    }
    if (opts.grader === 'paper' && !judge && questions.some((q) => q.kind === 'factual')) {
      process.stderr.write(
        `no LLM judge (--judge-base-url, --judge-model): factual answers are graded by the offline rules, ${APPROXIMATE_NOTE}\n`,
      );
    }
    const startedAt = Date.now();
    let result;
    try {
      result = await runEvaluation({
        questions,
        solve,
        mode: opts.mode,
        concurrency: opts.concurrency,
        createSandbox: needSandbox ? () => createCliSandbox(opts, retriever) : undefined,
        grade: defaultGrade({
          grader: opts.grader,
          judge,
          ...(opts.sympy ? {} : { symbolicEqual: async () => null }),
        }),
        done: run.done,
        signal: controller.signal,
        onRecord: (r) => run.append(r),
        dropRuns: !opts.trajectories,
        onEvent: progressReporter(opts.progress),
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const complete = !result.aborted;
    const summary = await run.writeOutputs({ complete, wallTimeMs: Date.now() - startedAt });
    const lines = summary.benchmarks.map(
      (b) =>
        `${b.label}: ${b.accuracy.toFixed(1)}% (${b.correct}/${b.questions})${b.approximate ? ` (${APPROXIMATE_NOTE})` : ''}`,
    );
    process.stdout.write(
      [
        ...lines,
        `average: ${summary.overall.averageAccuracy.toFixed(1)}%${summary.overall.approximate ? ` (${APPROXIMATE_NOTE})` : ''}`,
        `report: ${join(opts.out, RUN_FILES.report)}`,
      ].join('\n') + '\n',
    );
    if (result.aborted) {
      throw new PlaygroundError(
        'aborted',
        `Stopped after ${result.records.length} new question(s); ${opts.out} is resumable: rerun the same command.`,
      );
    }
  });
}
