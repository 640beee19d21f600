/** The optional LLM judge for factual answers, shared by `grade` and `eval`. */
import { Option, type Command } from 'commander';
import { createOpenAIEngine } from '../engines/openai-engine.ts';
import { PlaygroundError } from '../errors.ts';
import { createLlmJudge } from '../eval/llm-judge.ts';

export interface JudgeCliOptions {
  judgeBaseUrl?: string;
  judgeModel?: string;
  judgeApiKey?: string;
}

export function addJudgeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--judge-base-url <url>',
        'OpenAI-compatible endpoint of an LLM judge for factual answers',
      ).env('PLAYGROUND_JUDGE_BASE_URL'),
    )
    .addOption(
      new Option('--judge-model <name>', 'judge model name, e.g. gpt-4o-mini').env(
        'PLAYGROUND_JUDGE_MODEL',
      ),
    )
    .addOption(
      new Option('--judge-api-key <key>', 'bearer token for the judge endpoint').env(
        'PLAYGROUND_JUDGE_API_KEY',
      ),
    );
}

/** The judge the options ask for, or undefined for the offline graders alone. */
export function judgeFromOptions(
  opts: JudgeCliOptions,
): ReturnType<typeof createLlmJudge> | undefined {
  if (opts.judgeBaseUrl && !opts.judgeModel) {
    throw new PlaygroundError('bad_input', '--judge-base-url needs --judge-model too.');
  }
  if (!opts.judgeBaseUrl || !opts.judgeModel) return undefined;
  return createLlmJudge(
    createOpenAIEngine({
      baseUrl: opts.judgeBaseUrl,
      model: opts.judgeModel,
      apiKey: opts.judgeApiKey,
    }),
  );
}
