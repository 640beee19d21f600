/**
 * The export/import format of saved runs: a versioned envelope around RunRecords, a strict
 * validator (a foreign or damaged file is refused whole, naming the first thing wrong), and a
 * canonical serializer (sorted keys, runs in start order) so export -> import -> export is
 * byte-identical.
 */
import type {
  ChatMessage,
  TokenUsage,
  ExecutionResult,
  FinalAnswerValue,
  SandboxError,
  ToolCallRecord,
} from '../agent/ports.ts';
import { PlaygroundError, type ErrorCode, type SerializedError } from '../errors.ts';
import type {
  Candidate,
  ModelCall,
  RunRecord,
  RunSettings,
  StepRecord,
  TaskTurn,
  VoteGroup,
} from '../agent/run-record.ts';
import { isPlainObject } from '../json.ts';
import {
  ShapeError,
  arrayOf,
  boolean as bool,
  fail,
  finiteNumber as num,
  integer as int,
  jsonObject,
  jsonValue as json,
  nullable,
  object,
  oneOf,
  string as str,
  type Check,
} from '../json-shape.ts';

export const RUN_FILE_FORMAT = 'small-agent-playground/runs';
export const RUN_FILE_VERSION = 1;

export interface RunFile {
  format: typeof RUN_FILE_FORMAT;
  version: typeof RUN_FILE_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  runs: RunRecord[];
}

// ---- the RunRecord schema (src/agent/run-record.ts and the types it uses) ----

const usage = object<TokenUsage>({
  promptTokens: num,
  completionTokens: num,
  'prefillTokensPerSecond?': num,
  'decodeTokensPerSecond?': num,
});
const message = object<ChatMessage>({ role: oneOf('system', 'user', 'assistant'), content: str });
const serializedError = object<SerializedError>({ code: str, message: str });
const execution = object<ExecutionResult>({
  status: oneOf('ok', 'final', 'error'),
  logs: str,
  output: str,
  'finalAnswer?': object<FinalAnswerValue>({ text: str, type: str }),
  'error?': object<SandboxError>({
    kind: oneOf('syntax', 'runtime', 'policy', 'timeout', 'crash'),
    type: str,
    message: str,
  }),
  stateLost: bool,
  toolCalls: arrayOf(
    object<ToolCallRecord>({
      name: str,
      args: jsonObject,
      text: str,
      'data?': json,
      durationMs: num,
    }),
  ),
  durationMs: num,
});
const candidate = object<Candidate>({
  index: int,
  output: str,
  code: nullable(str),
  parseError: nullable(str),
  execution: nullable(execution),
  valid: bool,
  group: nullable(int),
});
const turnIndex: Check = (v, p) => {
  int(v, p);
  if ((v as number) < 0) fail(p, 'a turn index (0 or more)', v);
};
const step = object<StepRecord>({
  step: int,
  'turn?': turnIndex,
  modelOutput: str,
  code: nullable(str),
  observation: str,
  execution: nullable(execution),
  parseError: nullable(str),
  candidates: arrayOf(candidate),
  groups: arrayOf(object<VoteGroup>({ key: str, members: arrayOf(int) })),
  chosen: int,
  startedAt: num,
  durationMs: num,
  generationMs: num,
  executionMs: num,
  'usage?': usage,
});
const modelCall = object<ModelCall>({
  purpose: oneOf('step', 'fallback', 'cot', 'first-thought'),
  step: nullable(int),
  'turn?': turnIndex,
  request: object<ModelCall['request']>({
    messages: arrayOf(message),
    'temperature?': num,
    'topP?': num,
    'maxTokens?': int,
    'stop?': arrayOf(str),
    'n?': int,
    'seed?': int,
    'continueFinalMessage?': bool,
  }),
  outputs: arrayOf(str),
  'usage?': usage,
  latencyMs: num,
  startedAt: num,
});
const settings = object<RunSettings>({
  mode: oneOf('agent', 'cot'),
  engine: str,
  model: str,
  promptProfile: str,
  maxSteps: int,
  samples: int,
  temperature: num,
  topP: num,
  maxTokens: int,
  pythonTimeoutMs: num,
  'seed?': int,
  'firstThoughtPrefix?': nullable(str),
});
const runStatus = oneOf('running', 'answered', 'fallback', 'error', 'aborted');
const turn = object<TaskTurn>({
  question: str,
  settings,
  status: runStatus,
  answer: nullable(str),
  'error?': serializedError,
  startedAt: num,
  finishedAt: nullable(num),
  durationMs: num,
  usage,
});
const runRecordFields = object<RunRecord>({
  version: oneOf(1),
  id: (v, p) => {
    str(v, p);
    if (v === '') fail(p, 'a non-empty string', v);
  },
  question: str,
  settings,
  status: runStatus,
  answer: nullable(str),
  'response?': str,
  steps: arrayOf(step),
  messages: arrayOf(message),
  modelCalls: arrayOf(modelCall),
  'error?': serializedError,
  startedAt: num,
  finishedAt: nullable(num),
  durationMs: num,
  usage,
  'turns?': arrayOf(turn, { nonEmpty: true }),
});

/** A run record (src/agent/run-record.ts); every step and model call names a turn it has. */
export const runRecordCheck: Check = (v, p) => {
  runRecordFields(v, p);
  const r = v as RunRecord;
  const count = r.turns?.length ?? 1;
  const check = (items: readonly { turn?: number }[], what: string): void =>
    items.forEach((item, i) => {
      if ((item.turn ?? 0) >= count)
        fail(`${p}.${what}[${i}].turn`, `below the number of turns (${count})`, item.turn);
    });
  check(r.steps, 'steps');
  check(r.modelCalls, 'modelCalls');
};

function invalid(code: ErrorCode, what: string, detail: string): PlaygroundError {
  return new PlaygroundError(code, `${what}: ${detail}. Nothing was imported.`);
}

/** Checks one run record (e.g. inside a deck); `path` names it in the message. */
export function validateRunRecord(value: unknown, path = 'run'): RunRecord {
  try {
    runRecordCheck(value, path);
  } catch (err) {
    if (err instanceof ShapeError)
      throw new PlaygroundError('data_invalid', `Not a valid saved run: ${err.message}.`);
    throw err;
  }
  return value as RunRecord;
}

/** Parses and checks a runs file; throws PlaygroundError 'data_invalid' naming what is wrong. */
export function parseRunFile(text: string): RunFile {
  const what = 'This file cannot be imported as Small Agent Playground runs';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid('data_invalid', what, `it is not JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(value)) throw invalid('data_invalid', what, 'it is not a JSON object');
  if (value.format !== RUN_FILE_FORMAT) {
    throw invalid(
      'data_invalid',
      what,
      value.format === undefined
        ? `it has no "format" field (expected "${RUN_FILE_FORMAT}")`
        : `its format is ${JSON.stringify(value.format)}, not "${RUN_FILE_FORMAT}"`,
    );
  }
  if (value.version !== RUN_FILE_VERSION) {
    throw invalid(
      'data_invalid',
      what,
      `it is version ${JSON.stringify(value.version)}; this app reads version ${RUN_FILE_VERSION} (a newer app may read it)`,
    );
  }
  try {
    object<RunFile>({
      format: str,
      version: int,
      exportedAt: (v, p) => {
        str(v, p);
        if (Number.isNaN(Date.parse(v as string))) fail(p, 'an ISO date', v);
      },
      runs: arrayOf(runRecordCheck),
    })(value, 'file');
  } catch (err) {
    if (err instanceof ShapeError) throw invalid('data_invalid', what, err.message);
    throw err;
  }
  const file = value as unknown as RunFile;
  const seen = new Set<string>();
  for (const [i, run] of file.runs.entries()) {
    if (seen.has(run.id))
      throw invalid('data_invalid', what, `file.runs[${i}].id "${run.id}" appears twice`);
    seen.add(run.id);
  }
  return file;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (value[key] !== undefined) out[key] = canonical(value[key]);
    }
    return out;
  }
  return value;
}

/** Runs in start order (then id), so the same set gives the same file whatever the selection order. */
export function createRunFile(runs: readonly RunRecord[], exportedAt: Date | string): RunFile {
  const sorted = [...runs].sort((a, b) =>
    a.startedAt !== b.startedAt
      ? a.startedAt - b.startedAt
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0,
  );
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    exportedAt: typeof exportedAt === 'string' ? exportedAt : exportedAt.toISOString(),
    runs: sorted,
  };
}

/** The one byte form of a runs file: keys sorted at every level, 2-space indent, final newline. */
export function serializeRunFile(file: RunFile): string {
  return JSON.stringify(canonical(createRunFile(file.runs, file.exportedAt)), null, 2) + '\n';
}

/** A file name for an export, e.g. `runs-2026-11-24T20-40-00Z.json`, or the run's id for one. */
export function runFileName(file: RunFile): string {
  const stamp = file.exportedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const [only] = file.runs;
  return file.runs.length === 1 && only
    ? `run-${only.id.replace(/[^\w.-]+/g, '_')}.json`
    : `runs-${stamp}.json`;
}
