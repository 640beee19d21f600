/**
 * The Python sandbox for Node (CLI, tests, benchmarks). Pyodide runs in a worker thread of a child
 * process started under Node's permission model: it may read only Pyodide, its own bundle and the
 * package directories, and may not write files or start processes. In Node, Pyodide's `js` module
 * is the process's globalThis, so this is the second wall if the Python policy is ever bypassed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PlaygroundError } from '../errors.ts';
import { SandboxHost, type SandboxHostOptions } from './host.ts';
import { nodeBundles } from './node-bundle.ts';
import {
  availableWheels,
  defaultWheelsDir,
  packageMounts,
  warmPackageCache,
  type PackageSource,
} from './node-packages.ts';
import {
  MEMORY_EXIT_CODE,
  type HostMessage,
  type RuntimeConfig,
  type RuntimeMessage,
} from './protocol.ts';
import {
  parsePythonPolicy,
  PYTHON_POLICY_ENV,
  PYTHON_POLICY_OFF_WARNING,
  type PythonPolicy,
} from './python-policy.ts';
import type { PythonSandbox, SandboxTool } from './sandbox.ts';
import type { SandboxTransport, TransportEvents } from './transport.ts';

export interface NodeSandboxOptions {
  tools?: SandboxTool[];
  /** The Python-level policy; default from env PLAYGROUND_PYTHON_POLICY (python-policy.ts), on. */
  pythonPolicy?: PythonPolicy;
  /** Default per-execution limit; 20 s. */
  timeoutMs?: number;
  /** Time an interrupted execution gets to stop before the child is killed; 2 s. */
  interruptGraceMs?: number;
  /**
   * A directory of pure-Python packages (e.g. Debian's /usr/lib/python3/dist-packages with
   * python3-sympy and python3-mpmath). Default: env PLAYGROUND_PYTHON_PACKAGES.
   */
  pythonPackagesDir?: string;
  /** Which packages of that directory to expose; default sympy and mpmath. */
  pythonPackages?: string[];
  /** Byte-code cache written by the host; default <repo>/.cache/python-packages. */
  packageCacheDir?: string;
  /** Pyodide wheels (numpy, sympy, mpmath) loaded on first import; default <repo>/public/pyodide. */
  wheelsDir?: string;
  /** Build the byte-code cache in the background when it is missing; default true. */
  warmPackageCache?: boolean;
  /** Extra readable paths for the child (tests). */
  extraReadPaths?: string[];
  /**
   * The child's resident memory cap; 2048 MB. Pyodide's own ceiling is wasm's 4 GB per sandbox,
   * too much for an eval with eight sandboxes side by side. Over it, the child is stopped and the
   * step reports a MemoryError (the interpreter restarts, so its variables are lost).
   */
  memoryLimitMb?: number;
}

export const DEFAULT_MEMORY_LIMIT_MB = 2048;

export function createNodeSandbox(options: NodeSandboxOptions = {}): PythonSandbox {
  return createNodeSandboxHost(options);
}

/** Same as createNodeSandbox, typed as the host (for benchmarks that read start timings). */
export function createNodeSandboxHost(options: NodeSandboxOptions = {}): SandboxHost {
  const source = packageSource(options);
  const mounts = source ? packageMounts(source) : null;
  // No byte-code cache yet: build it in the background for the next start.
  if (
    source &&
    mounts?.mounts.length &&
    !mounts.pycachePrefix &&
    options.warmPackageCache !== false
  )
    void warmPackageCache(source);
  const wheelsDir = resolve(options.wheelsDir ?? defaultWheelsDir());
  const wheels = availableWheels(wheelsDir, ['numpy', 'sympy', 'mpmath']);
  const pythonPolicy = options.pythonPolicy ?? parsePythonPolicy(process.env[PYTHON_POLICY_ENV]);
  if (pythonPolicy === 'off') warnPolicyOff();
  const runtime: Omit<RuntimeConfig, 'tools'> = {
    pythonPolicy,
    ...(mounts
      ? {
          mounts: mounts.mounts,
          sysPath: mounts.sysPath,
          ...(mounts.pycachePrefix ? { pycachePrefix: mounts.pycachePrefix } : {}),
        }
      : {}),
    ...(wheels.length ? { lazyPackages: wheels, packageCacheDir: wheelsDir } : {}),
  };
  const readPaths = [
    ...(mounts?.mounts.map((m) => m.hostPath) ?? []),
    ...(wheels.length ? [wheelsDir] : []),
    ...(options.extraReadPaths ?? []),
  ];
  const hostOptions: SandboxHostOptions = {
    runtime,
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.interruptGraceMs !== undefined
      ? { interruptGraceMs: options.interruptGraceMs }
      : {}),
  };
  const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  return new SandboxHost(
    (events) => new NodeChildTransport(events, readPaths, memoryLimitMb),
    hostOptions,
  );
}

let warnedPolicyOff = false;

function warnPolicyOff(): void {
  if (warnedPolicyOff) return;
  warnedPolicyOff = true;
  process.stderr.write(`${PYTHON_POLICY_OFF_WARNING}\n`);
}

function packageSource(options: NodeSandboxOptions): PackageSource | null {
  const dir = options.pythonPackagesDir ?? process.env.PLAYGROUND_PYTHON_PACKAGES;
  if (!dir) return null;
  return {
    dir: resolve(dir),
    packages: options.pythonPackages ?? ['sympy', 'mpmath'],
    ...(options.packageCacheDir ? { cacheDir: options.packageCacheDir } : {}),
  };
}

/**
 * Builds the byte-code cache of the package directory now (e.g. from a setup command), so the
 * next sandbox imports sympy in about a second. Resolves to whether the cache is ready.
 */
export function prepareNodePythonPackages(options: NodeSandboxOptions = {}): Promise<boolean> {
  const source = packageSource(options);
  return source ? warmPackageCache(source) : Promise.resolve(false);
}

/** The flags the sandbox child runs with; exported so a test can prove what they block. */
export function permissionFlags(readPaths: string[]): string[] {
  // Node 20 has only the experimental flag; later versions call it --permission.
  const flag = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  return [
    flag,
    ...readPaths.filter((p) => existsSync(p)).map((p) => `--allow-fs-read=${p}`),
    '--allow-worker',
    '--no-warnings',
  ];
}

class NodeChildTransport implements SandboxTransport {
  private child: ChildProcess | null = null;
  private queued: HostMessage[] = [];
  private dead = false;

  constructor(
    private readonly events: TransportEvents,
    readPaths: string[],
    private readonly memoryLimitMb: number,
  ) {
    nodeBundles().then(
      (b) => this.launch(b.child, b.worker, [b.dir, b.pyodideDir, ...readPaths]),
      (err: unknown) => this.exit(`bundling failed: ${PlaygroundError.from(err).message}`),
    );
  }

  send(message: HostMessage): void {
    if (this.dead) return;
    if (!this.child) {
      this.queued.push(message);
      return;
    }
    this.child.send(message);
  }

  terminate(): void {
    this.dead = true;
    this.child?.kill('SIGKILL');
  }

  private launch(childFile: string, workerFile: string, readPaths: string[]): void {
    if (this.dead) return;
    let stderr = '';
    const child = fork(childFile, [workerFile, String(this.memoryLimitMb)], {
      execPath: process.execPath,
      execArgv: permissionFlags(readPaths),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { NODE_ENV: process.env.NODE_ENV ?? 'production' },
      cwd: join(childFile, '..'),
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on('message', (m: RuntimeMessage) => {
      if (!this.dead) this.events.onMessage(m);
    });
    child.on('exit', (code, sig) => {
      if (code === MEMORY_EXIT_CODE) {
        this.exit(`used more than ${this.memoryLimitMb} MB of memory`, 'memory');
        return;
      }
      const detail = stderr.trim().split('\n').pop() ?? '';
      this.exit(`exit ${sig ?? code}${detail ? `: ${detail}` : ''}`);
    });
    child.on('error', (err) => this.exit(err.message));
    for (const m of this.queued) child.send(m);
    this.queued = [];
  }

  private exit(reason: string, cause?: 'memory'): void {
    const wasDead = this.dead;
    this.dead = true;
    this.child = null;
    if (!wasDead) this.events.onExit(reason, cause);
  }
}
