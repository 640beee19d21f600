/**
 * Options shared by every command that runs the agent (ask, eval, distill): the engine, the
 * prompt profile, sampling, limits, and the tools' sources.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_MAX_STEPS, DEFAULT_MAX_TOKENS } from '../agent/conversation.ts';
import { PROMPT_PROFILES, getPromptProfile, type PromptProfile } from '../agent/prompt-profile.ts';
import { DEFAULT_PYTHON_TIMEOUT_MS } from '../agent/run-agent.ts';
import { SETTINGS } from '../agent/settings.ts';
import {
  createOpenAIEngine,
  type ContinuationMode,
  type SettingNames,
} from '../engines/openai-engine.ts';
import { createLlamaCppEngine } from '../engines/llama-cpp-engine.ts';
import type { ChatEngine } from '../agent/ports.ts';
import { DEFAULT_REQUEST_LIMITS } from '../engines/request-limits.ts';
import { PlaygroundError } from '../errors.ts';
import { DEFAULT_MEMORY_LIMIT_MB } from '../python/node-sandbox.ts';

/** The flags that set the engine's values, for its error messages. */
export const CLI_SETTING_NAMES: SettingNames = {
  baseUrl: '--base-url',
  model: '--model',
  apiKey: '--api-key',
  concurrency: '--concurrency',
};

export interface EngineCliOptions {
  gguf?: string;
  threads?: number;
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  prompt: string;
  maxSteps: number;
  samples: number;
  temperature?: number;
  topP?: number;
  maxTokens: number;
  timeoutS: number;
  requestTimeout: number;
  requestBudget: number;
  pythonMemoryMb: number;
  seed?: number;
  continuation: ContinuationMode;
  /** false: `--no-index`, run without one even when a default exists. */
  index?: string | false;
  retrieverUrl?: string;
  pythonPackages?: string;
}

/** A commander parser for a numeric flag: refuses anything outside `min`..`max` by name. */
export function number(
  name: string,
  { min, max, integer }: { min: number; max: number; integer?: boolean },
) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new PlaygroundError(
        'bad_input',
        `${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${value}".`,
      );
    }
    return n;
  };
}

export function addEngineOptions(cmd: Command, defaults: { prompt?: string } = {}): Command {
  return cmd
    .addOption(
      new Option(
        '--gguf <file>',
        'run this GGUF model in-process with llama.cpp on the CPU (no server needed)',
      ).env('PLAYGROUND_GGUF'),
    )
    .option(
      '--threads <n>',
      'CPU threads for --gguf (default: all cores)',
      number('--threads', { min: 1, max: 256, integer: true }),
    )
    .addOption(
      new Option(
        '--base-url <url>',
        'OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1',
      ).env('PLAYGROUND_BASE_URL'),
    )
    .addOption(
      new Option('--model <name>', 'model name as the server knows it').env('PLAYGROUND_MODEL'),
    )
    .addOption(new Option('--api-key <key>', 'bearer token for the server').env('OPENAI_API_KEY'))
    .addOption(
      new Option(
        '--prompt <profile>',
        "prompt profile: distilled (fine-tuned students), fewshot (base instruct models) or teacher (the reference teacher's long prompt, greedy)",
      )
        .choices(Object.keys(PROMPT_PROFILES))
        .default(defaults.prompt ?? 'distilled'),
    )
    .option(
      '--max-steps <n>',
      'agent steps before the fallback answer',
      number('--max-steps', SETTINGS.maxSteps),
      DEFAULT_MAX_STEPS,
    )
    .option(
      '--samples <n>',
      `candidates per step, voted (SAG); 1 to ${SETTINGS.samples.max}`,
      number('--samples', SETTINGS.samples),
      1,
    )
    .option(
      '--temperature <t>',
      "sampling temperature (default: the profile's, 0.4)",
      number('--temperature', SETTINGS.temperature),
    )
    .option(
      '--top-p <p>',
      "nucleus sampling (default: the profile's, 0.8)",
      number('--top-p', SETTINGS.topP),
    )
    .option(
      '--max-tokens <n>',
      'new tokens per step',
      number('--max-tokens', SETTINGS.maxTokens),
      DEFAULT_MAX_TOKENS,
    )
    .option(
      '--timeout-s <s>',
      'time limit of one Python execution, seconds',
      number('--timeout-s', SETTINGS.pythonTimeoutS),
      DEFAULT_PYTHON_TIMEOUT_MS / 1000,
    )
    .option(
      '--request-timeout <s>',
      'seconds a model server may send nothing before the request ends with an error',
      number('--request-timeout', { min: 0.1, max: 3600 }),
      DEFAULT_REQUEST_LIMITS.idleTimeoutMs / 1000,
    )
    .option(
      '--request-budget <s>',
      'seconds one model request may take in all (a server streaming forever ends here)',
      number('--request-budget', { min: 0.1, max: 24 * 3600 }),
      DEFAULT_REQUEST_LIMITS.totalTimeoutMs / 1000,
    )
    .option(
      '--python-memory-mb <mb>',
      'memory cap of one Python sandbox; over it the step fails with MemoryError and Python restarts',
      number('--python-memory-mb', { min: 256, max: 4096, integer: true }),
      DEFAULT_MEMORY_LIMIT_MB,
    )
    .option(
      '--seed <n>',
      'sampling seed, when the server supports it',
      number('--seed', SETTINGS.seed),
    )
    .addOption(
      new Option(
        '--continuation <mode>',
        'how to continue an assistant prefix: vLLM chat extension or plain completions',
      )
        .choices(['auto', 'vllm', 'completions'])
        .default('auto'),
    )
    .option(
      '--index <dir>',
      "local Wikipedia index for web_search (built by `playground index build`; default: $PLAYGROUND_INDEX_DIR, else the app's public/generated/index)",
    )
    .option(
      '--no-index',
      'no index even if a default exists: web_search tells the model it has none',
    )
    .option(
      '--retriever-url <url>',
      'remote retriever speaking POST /retrieve (the reference e5 server)',
    )
    .addOption(
      new Option(
        '--python-packages <dir>',
        'directory of pure-Python packages for the sandbox (e.g. /usr/lib/python3/dist-packages for sympy)',
      ).env('PLAYGROUND_PYTHON_PACKAGES'),
    );
}

export function createEngine(opts: EngineCliOptions): ChatEngine {
  if (opts.gguf) {
    if (opts.baseUrl) {
      throw new PlaygroundError(
        'bad_input',
        'Give either --gguf (a model run in-process) or --base-url (a model server), not both.',
      );
    }
    return createLlamaCppEngine(opts.gguf, {
      ...(opts.threads !== undefined && { threads: opts.threads }),
    });
  }
  if (!opts.baseUrl) {
    throw new PlaygroundError(
      'bad_input',
      'No --base-url: give the OpenAI-compatible server to use, e.g. --base-url http://127.0.0.1:8000/v1 (or set PLAYGROUND_BASE_URL), or a GGUF model file to run in-process with --gguf FILE.',
    );
  }
  if (!opts.model) {
    throw new PlaygroundError(
      'bad_input',
      'No --model: give the model name the server serves, e.g. --model Qwen/Qwen2.5-1.5B-Instruct (or set PLAYGROUND_MODEL).',
    );
  }
  return createOpenAIEngine({
    baseUrl: opts.baseUrl,
    model: opts.model,
    apiKey: opts.apiKey,
    continuation: opts.continuation,
    idleTimeoutMs: Math.round(opts.requestTimeout * 1000),
    requestTimeoutMs: Math.round(opts.requestBudget * 1000),
    settingNames: CLI_SETTING_NAMES,
  });
}

export function profileOf(opts: EngineCliOptions): PromptProfile {
  return getPromptProfile(opts.prompt);
}

/** The options runAgent takes from the command line. */
export function agentSettings(opts: EngineCliOptions) {
  return {
    maxSteps: opts.maxSteps,
    samples: opts.samples,
    temperature: opts.temperature,
    topP: opts.topP,
    maxTokens: opts.maxTokens,
    pythonTimeoutMs: Math.round(opts.timeoutS * 1000),
    seed: opts.seed,
  };
}
