/**
 * The host's check of what a Python runtime sends. The runtime runs model-written code, so any of
 * its messages may be forged: only a message of the exact shape of protocol.ts passes; anything
 * else is rejected with a short reason for the log, and never acted on.
 */
import type { ErrorCode, SerializedError } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { RawResult, RuntimeMessage } from './protocol.ts';
import type { SandboxErrorKind } from './sandbox.ts';

type Obj = Record<string, unknown>;

const ERROR_KINDS: readonly SandboxErrorKind[] = [
  'syntax',
  'runtime',
  'policy',
  'timeout',
  'crash',
];
const ERROR_CODE = /^[a-z_]{1,40}$/;
/** Tool arguments nest as deep as any sane call; deeper is a forged message, not a query. */
const MAX_JSON_DEPTH = 32;

export class RuntimeMessageRejected extends Error {}

function fail(reason: string): never {
  throw new RuntimeMessageRejected(reason);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keysWithin(o: Obj, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${what}: unexpected field ${k}`);
}

function str(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${what}: ${key} is not a string`);
  return v;
}

function id(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${what}: ${key} is not a request id`);
  return v;
}

function finite(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what}: ${key} is not a number`);
  return v;
}

/** The runtime's own code is checked but not trusted: the host decides what kind of failure it is. */
function serializedError(v: unknown, code: ErrorCode, what: string): SerializedError {
  if (!isObj(v)) fail(`${what}: error is not an object`);
  keysWithin(v, ['code', 'message'], what);
  if (!ERROR_CODE.test(str(v, 'code', what))) fail(`${what}: bad error code`);
  return { code, message: str(v, 'message', what) };
}

function isJson(v: unknown, depth: number): v is JsonValue {
  if (depth > MAX_JSON_DEPTH) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (!isObj(v) || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v).every((x) => isJson(x, depth + 1));
}

function rawResult(v: unknown): RawResult {
  const what = 'result';
  if (!isObj(v)) fail(`${what}: not an object`);
  keysWithin(v, ['status', 'logs', 'output', 'finalAnswer', 'error', 'durationMs'], what);
  const status = v.status;
  if (status !== 'ok' && status !== 'final' && status !== 'error') fail(`${what}: bad status`);
  const out: RawResult = {
    status,
    logs: str(v, 'logs', what),
    durationMs: finite(v, 'durationMs', what),
  };
  if (v.output !== undefined) out.output = str(v, 'output', what);
  if (v.finalAnswer === null) out.finalAnswer = null;
  else if (v.finalAnswer !== undefined) {
    const fa = v.finalAnswer;
    if (!isObj(fa)) fail(`${what}: finalAnswer is not an object`);
    keysWithin(fa, ['text', 'type'], `${what}.finalAnswer`);
    out.finalAnswer = { text: str(fa, 'text', what), type: str(fa, 'type', what) };
  }
  if (v.error !== undefined) {
    const e = v.error;
    if (!isObj(e)) fail(`${what}: error is not an object`);
    keysWithin(e, ['kind', 'type', 'message', 'line'], `${what}.error`);
    const kind = e.kind;
    if (!ERROR_KINDS.includes(kind as SandboxErrorKind)) fail(`${what}: bad error kind`);
    const line = e.line ?? null;
    if (line !== null && typeof line !== 'string') fail(`${what}: error line is not a string`);
    out.error = {
      kind: kind as SandboxErrorKind,
      type: str(e, 'type', what),
      message: str(e, 'message', what),
      line,
    };
  }
  return out;
}

/** Returns the message rebuilt from checked fields only, or throws RuntimeMessageRejected. */
export function checkRuntimeMessage(data: unknown): RuntimeMessage {
  if (!isObj(data)) fail('not an object');
  const type = data.type;
  const what = typeof type === 'string' ? type.slice(0, 40) : 'message';
  switch (type) {
    case 'ready': {
      keysWithin(data, ['type', 'pythonVersion', 'startMs', 'isolation'], what);
      const msg: RuntimeMessage = {
        type,
        pythonVersion: str(data, 'pythonVersion', what),
        startMs: finite(data, 'startMs', what),
      };
      if (data.isolation !== undefined) {
        const iso = data.isolation;
        if (!isObj(iso)) fail(`${what}: isolation is not an object`);
        const isolation: Record<string, string> = {};
        for (const k of Object.keys(iso)) isolation[k] = str(iso, k, what);
        msg.isolation = isolation;
      }
      return msg;
    }
    case 'start_failed':
      keysWithin(data, ['type', 'error'], what);
      return { type, error: serializedError(data.error, 'python_start_failed', what) };
    case 'result':
      keysWithin(data, ['type', 'id', 'result'], what);
      return { type, id: id(data, 'id', what), result: rawResult(data.result) };
    case 'done':
      keysWithin(data, ['type', 'id', 'ok'], what);
      if (typeof data.ok !== 'boolean') fail(`${what}: ok is not a boolean`);
      return { type, id: id(data, 'id', what), ok: data.ok };
    case 'error':
      keysWithin(data, ['type', 'id', 'error'], what);
      return {
        type,
        id: id(data, 'id', what),
        error: serializedError(data.error, 'python_crashed', what),
      };
    case 'tool_call': {
      keysWithin(data, ['type', 'callId', 'name', 'args'], what);
      const args = data.args;
      if (!isObj(args) || !isJson(args, 0)) fail(`${what}: args are not a JSON object`);
      return {
        type,
        callId: id(data, 'callId', what),
        name: str(data, 'name', what),
        args: args as Record<string, JsonValue>,
      };
    }
    default:
      return fail(`unknown message type ${JSON.stringify(what)}`);
  }
}
