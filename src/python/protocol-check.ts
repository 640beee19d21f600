/**
 * The host's check of everything a runtime sends: the runtime runs model code, so a message may be
 * forged or malformed. A message passes only as a fresh object holding the fields of its type
 * (nothing else crosses); anything else comes back as the reason it was refused.
 */
import type { ErrorCode, SerializedError } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { RawResult, RuntimeMessage } from './protocol.ts';
import type { FinalAnswerValue, SandboxErrorKind } from '../agent/ports.ts';

export type CheckedMessage = { ok: true; message: RuntimeMessage } | { ok: false; reason: string };

/** Tool arguments nest no deeper than this; a model's arguments are flat. */
const MAX_ARG_DEPTH = 16;

const ERROR_KINDS: ReadonlySet<SandboxErrorKind> = new Set([
  'syntax',
  'runtime',
  'policy',
  'timeout',
  'crash',
]);
const RESULT_STATUS: ReadonlySet<RawResult['status']> = new Set(['ok', 'final', 'error']);

class Invalid extends Error {}

type Fields = Record<string, unknown>;

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid(`${what} is not an object`);
  return value as Fields;
}

function str(o: Fields, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Invalid(`${key} is not a string`);
  return v;
}

function num(o: Fields, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(`${key} is not a number`);
  return v;
}

function id(o: Fields, key: string): number {
  const v = num(o, key);
  if (!Number.isSafeInteger(v) || v < 0) throw new Invalid(`${key} is not a request id`);
  return v;
}

function serializedError(value: unknown): SerializedError {
  const o = object(value, 'error');
  // The code only selects how the host words the failure; an unknown one is still an error.
  return { code: str(o, 'code') as ErrorCode, message: str(o, 'message') };
}

function json(value: unknown, depth: number): JsonValue {
  if (depth > MAX_ARG_DEPTH) throw new Invalid('tool arguments nest too deep');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Invalid('tool arguments hold a non-finite number');
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => json(v, depth + 1));
  const o = object(value, 'tool argument');
  if (Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null)
    throw new Invalid('tool arguments hold a non-plain object');
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(o)) out[k] = json(v, depth + 1);
  return out;
}

function finalAnswer(value: unknown): FinalAnswerValue | null | undefined {
  if (value === undefined || value === null) return value;
  const o = object(value, 'finalAnswer');
  return { text: str(o, 'text'), type: str(o, 'type') };
}

function rawResult(value: unknown): RawResult {
  const o = object(value, 'result');
  const status = str(o, 'status') as RawResult['status'];
  if (!RESULT_STATUS.has(status)) throw new Invalid(`unknown result status ${status}`);
  const result: RawResult = { status, logs: str(o, 'logs'), durationMs: num(o, 'durationMs') };
  if (o.output !== undefined) result.output = str(o, 'output');
  const fa = finalAnswer(o.finalAnswer);
  if (fa !== undefined) result.finalAnswer = fa;
  if (o.error !== undefined) {
    const e = object(o.error, 'result error');
    const kind = str(e, 'kind') as SandboxErrorKind;
    if (!ERROR_KINDS.has(kind)) throw new Invalid(`unknown error kind ${kind}`);
    const line = e.line === null ? null : str(e, 'line');
    result.error = { kind, type: str(e, 'type'), message: str(e, 'message'), line };
  }
  return result;
}

function stringRecord(value: unknown): Record<string, string> {
  const o = object(value, 'isolation');
  const out: Record<string, string> = {};
  for (const k of Object.keys(o)) out[k] = str(o, k);
  return out;
}

function build(o: Fields): RuntimeMessage {
  switch (o.type) {
    case 'ready':
      return {
        type: 'ready',
        pythonVersion: str(o, 'pythonVersion'),
        startMs: num(o, 'startMs'),
        ...(o.isolation !== undefined ? { isolation: stringRecord(o.isolation) } : {}),
      };
    case 'start_failed':
      return { type: 'start_failed', error: serializedError(o.error) };
    case 'result':
      return { type: 'result', id: id(o, 'id'), result: rawResult(o.result) };
    case 'done': {
      if (typeof o.ok !== 'boolean') throw new Invalid('ok is not a boolean');
      return { type: 'done', id: id(o, 'id'), ok: o.ok };
    }
    case 'error':
      return { type: 'error', id: id(o, 'id'), error: serializedError(o.error) };
    case 'tool_call': {
      const args = json(o.args, 0);
      if (typeof args !== 'object' || args === null || Array.isArray(args))
        throw new Invalid('tool arguments are not an object');
      return { type: 'tool_call', callId: id(o, 'callId'), name: str(o, 'name'), args };
    }
    default:
      throw new Invalid(`unknown message type ${JSON.stringify(o.type)?.slice(0, 40)}`);
  }
}

/** Checks one message from a runtime; never throws. */
export function checkRuntimeMessage(value: unknown): CheckedMessage {
  try {
    return { ok: true, message: build(object(value, 'message')) };
  } catch (err) {
    // A getter or proxy in a forged message can throw anything; it is refused all the same.
    const reason = err instanceof Invalid ? err.message : 'the message could not be read';
    return { ok: false, reason };
  }
}
