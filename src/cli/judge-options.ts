/** The grader choice and the optional LLM judge for factual answers, shared by `grade` and `eval`. */
import { Option, type Command } from 'commander';
import { createOpenAIEngine } from '../engines/openai-engine.ts';
import { PlaygroundError } from '../errors.ts';
import { createLlmJudge, type FactualJudge } from '../eval/llm-judge.ts';
import { createPaperJudge } from '../eval/paper/judge.ts';
import { GRADERS, type GraderId } from '../eval/types.ts';

export interface JudgeCliOptions {
  grader: GraderId;
  judgeBaseUrl?: string;
  judgeModel?: string;
  judgeApiKey?: string;
}

const GRADER_HELP =
  'paper: the paper\'s scoring (math_equal; factual answers by the LLM judge, else "approximate: no LLM judge"); lenient: the playground\'s offline rules (docs/protocol.md, Grading)';

/** `regrade`: no default, the option asks to grade stored answers again (`report`). */
export function addJudgeOptions(
  cmd: Command,
  grader: 'default-paper' | 'regrade' = 'default-paper',
): Command {
  const option = new Option(
    '--grader <grader>',
    grader === 'regrade'
      ? `grade every stored answer again with this grader instead of showing the stored grades; ${GRADER_HELP}`
      : GRADER_HELP,
  ).choices([...GRADERS]);
  return cmd
    .addOption(grader === 'regrade' ? option : option.default('paper'))
    .addOption(
      new Option(
        '--judge-base-url <url>',
        'OpenAI-compatible endpoint of an LLM judge for factual answers',
      ).env('PLAYGROUND_JUDGE_BASE_URL'),
    )
    .addOption(
      new Option(
        '--judge-model <name>',
        'judge model name (the paper used gpt-4o-mini); needs --judge-base-url',
      ).env('PLAYGROUND_JUDGE_MODEL'),
    )
    .addOption(
      new Option('--judge-api-key <key>', 'bearer token for the judge endpoint').env(
        'PLAYGROUND_JUDGE_API_KEY',
      ),
    );
}

/** The judge the options ask for (the paper's prompt under --grader paper), or undefined. */
export function judgeFromOptions(opts: JudgeCliOptions): FactualJudge | undefined {
  if (opts.judgeBaseUrl && !opts.judgeModel) {
    throw new PlaygroundError('bad_input', '--judge-base-url needs --judge-model too.');
  }
  if (opts.judgeModel && !opts.judgeBaseUrl) {
    throw new PlaygroundError(
      'bad_input',
      '--judge-model needs --judge-base-url too (e.g. https://api.openai.com/v1 with --judge-api-key).',
    );
  }
  if (!opts.judgeBaseUrl || !opts.judgeModel) return undefined;
  const engine = createOpenAIEngine({
    baseUrl: opts.judgeBaseUrl,
    model: opts.judgeModel,
    apiKey: opts.judgeApiKey,
    settingNames: {
      baseUrl: '--judge-base-url',
      model: '--judge-model',
      apiKey: '--judge-api-key',
      concurrency: '--concurrency',
    },
  });
  return opts.grader === 'lenient' ? createLlmJudge(engine) : createPaperJudge(engine);
}
