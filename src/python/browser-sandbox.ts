/**
 * The Python sandbox in the browser: Pyodide in a module Web Worker. Needs cross-origin isolation
 * (COOP same-origin + COEP require-corp) for the SharedArrayBuffers that carry interrupts and
 * synchronous tool replies.
 */
import { PlaygroundError } from '../errors.ts';
import { SandboxHost } from './host.ts';
import type { HostMessage, RuntimeMessage, WorkerOutbound } from './protocol.ts';
import { RuntimeLink } from './runtime-link.ts';
import { PYTHON_POLICY_OFF_WARNING, type PythonPolicy } from './python-policy.ts';
import type { PythonSandbox, SandboxTool } from './sandbox.ts';
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

/** Baked in by vite.config.ts from PLAYGROUND_PYTHON_POLICY at build time; on elsewhere. */
export const BUILD_PYTHON_POLICY: PythonPolicy =
  typeof __PLAYGROUND_PYTHON_POLICY__ === 'string' && __PLAYGROUND_PYTHON_POLICY__ === 'off'
    ? 'off'
    : 'on';

export function createBrowserSandbox(options: BrowserSandboxOptions): PythonSandbox {
  if (BUILD_PYTHON_POLICY === 'off') console.warn(PYTHON_POLICY_OFF_WARNING);
  return new SandboxHost((events) => new WebWorkerTransport(events), {
    runtime: {
      pythonPolicy: BUILD_PYTHON_POLICY,
      indexURL: options.indexURL,
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

class WebWorkerTransport implements SandboxTransport {
  private readonly worker: Worker | null = null;
  private readonly link: RuntimeLink | null = null;
  private dead = false;

  constructor(private readonly events: TransportEvents) {
    if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated) {
      queueMicrotask(() =>
        this.exit(
          'the page is not cross-origin isolated (serve it with COOP same-origin and COEP require-corp)',
        ),
      );
      return;
    }
    const worker = new Worker(new URL('../workers/python.worker.ts', import.meta.url), {
      type: 'module',
    });
    this.worker = worker;
    this.link = new RuntimeLink(worker, (m: RuntimeMessage) => {
      if (!this.dead) this.events.onMessage(m);
    });
    const link = this.link;
    worker.onmessage = (e: MessageEvent<WorkerOutbound>) => link.fromWorker(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.exit(e.message || 'worker error');
    };
  }

  send(message: HostMessage): void {
    if (!this.dead) this.link?.fromHost(message);
  }

  terminate(): void {
    this.dead = true;
    this.worker?.terminate();
  }

  private exit(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.worker?.terminate();
    this.events.onExit(reason);
  }
}

/** Why the browser cannot run the sandbox, or null when it can. */
export function browserSandboxUnavailable(): PlaygroundError | null {
  if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated)
    return new PlaygroundError(
      'python_start_failed',
      'Python needs a cross-origin isolated page (COOP same-origin, COEP require-corp).',
    );
  return null;
}
