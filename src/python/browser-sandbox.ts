/**
 * The Python sandbox in the browser: Pyodide in a Web Worker inside an opaque-origin sandboxed
 * frame with no network (frame-transport.ts, docs/sandbox-security.md). Needs cross-origin
 * isolation (COOP same-origin + COEP require-corp) for the SharedArrayBuffers that carry
 * interrupts and synchronous tool replies.
 */
import { PlaygroundError } from '../errors.ts';
import { SandboxHost } from './host.ts';
import { FrameTransport } from './frame-transport.ts';
import { PYTHON_POLICY_OFF_WARNING, type PythonPolicy } from './python-policy.ts';
import type { PythonSandbox, SandboxTool } from '../agent/ports.ts';
import type { SandboxTransport, TransportEvents } from './transport.ts';

export interface BrowserSandboxOptions {
  /** URL of the directory holding Pyodide's files on the app's own origin, e.g. '/pyodide/'. */
  indexURL: string;
  tools?: SandboxTool[];
  /** Default per-execution limit; 20 s. */
  timeoutMs?: number;
  /** Time an interrupted execution gets to stop before the worker is replaced; 2 s. */
  interruptGraceMs?: number;
  /**
   * Pyodide packages served next to Pyodide, loaded the first time a step imports them.
   * Default numpy, sympy, mpmath; a missing wheel ends as ModuleNotFoundError in that step.
   */
  lazyPackages?: string[];
  /**
   * Python's recursion limit. Browser workers have a small native stack, and recursion through C
   * code (e.g. a __repr__ calling repr) overflows it before Python's own limit; default 400.
   */
  recursionLimit?: number;
}

/** Baked in by build/vite/python-policy.ts from PLAYGROUND_PYTHON_POLICY at build time; on elsewhere. */
export const BUILD_PYTHON_POLICY: PythonPolicy =
  typeof __PLAYGROUND_PYTHON_POLICY__ === 'string' && __PLAYGROUND_PYTHON_POLICY__ === 'off'
    ? 'off'
    : 'on';

export function createBrowserSandbox(options: BrowserSandboxOptions): PythonSandbox {
  if (BUILD_PYTHON_POLICY === 'off') console.warn(PYTHON_POLICY_OFF_WARNING);
  // The worker's own location is a blob: URL, against which nothing resolves.
  const indexURL = new URL(options.indexURL, location.href).href;
  return new SandboxHost((events) => createTransport(events, indexURL), {
    runtime: {
      pythonPolicy: BUILD_PYTHON_POLICY,
      indexURL,
      lazyPackages: options.lazyPackages ?? ['numpy', 'sympy', 'mpmath'],
      recursionLimit: options.recursionLimit ?? 400,
    },
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.interruptGraceMs !== undefined
      ? { interruptGraceMs: options.interruptGraceMs }
      : {}),
  });
}

function createTransport(events: TransportEvents, indexURL: string): SandboxTransport {
  const unavailable = browserSandboxUnavailable();
  if (unavailable) {
    queueMicrotask(() => events.onExit(unavailable.message));
    return { send: () => undefined, terminate: () => undefined };
  }
  return new FrameTransport(events, indexURL);
}

/** Why the browser cannot run the sandbox, or null when it can. */
function browserSandboxUnavailable(): PlaygroundError | null {
  if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated)
    return new PlaygroundError(
      'python_start_failed',
      'Python needs a cross-origin isolated page (COOP same-origin, COEP require-corp).',
    );
  return null;
}
