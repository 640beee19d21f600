import type { SerializedError } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { PythonPolicy } from './python-policy.ts';
import type { FinalAnswerValue, SandboxErrorKind } from '../agent/ports.ts';

/** What the runtime needs to start; plain JSON so it crosses processes and workers. */
export interface RuntimeConfig {
  /** Where Pyodide's files are; undefined means next to the pyodide package (Node). */
  indexURL?: string;
  tools: { name: string; params: string[] }[];
  /** Pyodide packages to load from indexURL when their wheels exist (e.g. numpy). */
  loadPackages?: string[];
  /** Node only: host directories mounted read-only into the interpreter. */
  mounts?: { hostPath: string; mountPath: string }[];
  /** Directories appended to sys.path. */
  sysPath?: string[];
  /** Python's sys.pycache_prefix; a read-only mount of pre-compiled bytecode. */
  pycachePrefix?: string;
  recursionLimit?: number;
  /** 'off' lets model code import js (python-policy.ts); default 'on'. */
  pythonPolicy?: PythonPolicy;
  /**
   * Pyodide packages whose wheels are available (served next to Pyodide, or in
   * packageCacheDir in Node): loaded before a step that imports them, not at start.
   */
  lazyPackages?: string[];
  /** Node only: directory holding Pyodide wheels (e.g. public/pyodide). */
  packageCacheDir?: string;
}

/** Host -> runtime requests. `interrupt` and `tool_result` are served by the RuntimeLink. */
export type HostMessage =
  | { type: 'init'; config: RuntimeConfig }
  | { type: 'execute'; id: number; code: string }
  | { type: 'candidate'; id: number; slot: number; code: string }
  | { type: 'adopt'; id: number; slot: number }
  | { type: 'reset'; id: number }
  | { type: 'check_syntax'; id: number; code: string }
  | { type: 'interrupt' }
  | { type: 'tool_result'; callId: number; reply: ToolReply };

export type ToolReply = { ok: true; text: string } | { ok: false; message: string };

/** Runtime -> host. The host accepts only what protocol-check.ts knows: change both together. */
export type RuntimeMessage =
  | {
      type: 'ready';
      pythonVersion: string;
      startMs: number;
      /** What the runtime verified about its sandbox, e.g. { fsWrite: 'ERR_ACCESS_DENIED' }. */
      isolation?: Record<string, string>;
    }
  | { type: 'start_failed'; error: SerializedError }
  | { type: 'result'; id: number; result: RawResult }
  | { type: 'done'; id: number; ok: boolean }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'tool_call'; callId: number; name: string; args: Record<string, JsonValue> };

/** Link <-> worker only: the init message carries the shared buffers; acks pace big replies. */
export type WorkerInbound =
  | Exclude<HostMessage, { type: 'init' } | { type: 'interrupt' } | { type: 'tool_result' }>
  | { type: 'init'; config: RuntimeConfig; interrupt: SharedArrayBuffer; tool: SharedArrayBuffer };

export type WorkerOutbound = RuntimeMessage | { type: 'tool_chunk_ack'; callId: number };

/** An execution as the Python driver reports it; the host adds tool calls and state loss. */
export interface RawResult {
  status: 'ok' | 'final' | 'error';
  logs: string;
  output?: string;
  finalAnswer?: FinalAnswerValue | null;
  error?: { kind: SandboxErrorKind; type: string; message: string; line: string | null };
  durationMs: number;
}

/** The Node sandbox child's exit code for "over its memory limit" (python-node-child.ts). */
export const MEMORY_EXIT_CODE = 73;
