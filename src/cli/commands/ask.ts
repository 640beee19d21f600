import type { Command } from 'commander';
import type { PythonSandbox } from '../../agent/ports.ts';
import { runQuestion } from '../../agent/run-question.ts';
import { PlaygroundError } from '../../errors.ts';
import {
  addEngineOptions,
  agentSettings,
  createEngine,
  profileOf,
  type EngineCliOptions,
} from '../engine-options.ts';
import { narrate } from '../narrate.ts';
import { createCliSandbox } from '../sandbox-and-tools.ts';

interface AskOptions extends EngineCliOptions {
  mode: 'agent' | 'cot';
  json: boolean;
  quiet: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('ask')
    .description(
      'Answer one question with the agent (Thought/Code/Observation loop) or chain of thought.',
    )
    .argument('<question>', 'the question')
    .option('--mode <mode>', 'agent or cot', 'agent')
    .option('--json', 'print the whole run record as JSON instead of the answer', false)
    .option('-q, --quiet', 'no progress on stderr', false);
  addEngineOptions(cmd).action(async (question: string, opts: AskOptions) => {
    if (opts.mode !== 'agent' && opts.mode !== 'cot') {
      throw new PlaygroundError(
        'bad_input',
        `--mode must be agent or cot, got "${String(opts.mode)}".`,
      );
    }
    if (!question.trim()) throw new PlaygroundError('bad_input', 'The question is empty.');
    const engine = createEngine(opts);
    const profile = profileOf(opts);
    // Progress on stderr, so stdout stays the answer (or the JSON record).
    const onEvent =
      opts.quiet || opts.json
        ? undefined
        : narrate((s) => void process.stderr.write(s), { streamed: false });
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      // Made only if the run asks for it (agent mode), and disposed of here.
      let made: PythonSandbox | undefined;
      let record;
      try {
        record = await runQuestion({
          mode: opts.mode,
          question,
          engine,
          sandbox: async () => {
            made = await createCliSandbox(opts);
            return made;
          },
          profile,
          ...agentSettings(opts),
          signal: controller.signal,
          onEvent,
        });
      } finally {
        await made?.dispose();
      }
      if (opts.json) process.stdout.write(JSON.stringify(record, null, 2) + '\n');
      if (record.error) throw PlaygroundError.fromSerialized(record.error);
      if (!opts.json) process.stdout.write(`${record.answer ?? ''}\n`);
    } finally {
      process.off('SIGINT', onSigint);
    }
  });
}
