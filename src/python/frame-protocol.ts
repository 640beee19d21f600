/**
 * Messages of the browser wall (docs/sandbox-security.md, "Browser"): the page talks to an
 * opaque-origin sandboxed frame over one MessagePort; the frame owns the Pyodide worker and its
 * shared buffers. The worker has no network, so Pyodide's files come from the page as bytes.
 */
import type { HostMessage, RuntimeMessage, WorkerInbound, WorkerOutbound } from './protocol.ts';

/** The worker asks for one of Pyodide's files (core, stdlib, lock file, wheels) by name. */
export interface AssetRequest {
  type: 'asset_request';
  reqId: number;
  name: string;
}

export type AssetReply =
  | { type: 'asset'; reqId: number; bytes: ArrayBuffer }
  | { type: 'asset_error'; reqId: number; message: string };

/** Page -> frame, once, on the window: the port every later message uses, and the worker code. */
export interface FrameConnect {
  type: 'connect';
  workerSource: string;
}

/** Page -> frame, on the port. */
export type FrameInbound = HostMessage | AssetReply;

/** Frame -> page, on the port. 'exit': the worker died (an error event). */
export type FrameOutbound = RuntimeMessage | AssetRequest | { type: 'exit'; reason: string };

/** Frame -> worker and worker -> frame. */
export type SandboxWorkerInbound = WorkerInbound | AssetReply;
export type SandboxWorkerOutbound = WorkerOutbound | AssetRequest;

/** Pyodide's own files the worker may ask for; wheels must also be named in the lock file. */
export const PYODIDE_CORE_FILES: readonly string[] = [
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
];
export const LOCK_FILE = 'pyodide-lock.json';
