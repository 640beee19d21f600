/**
 * The Python sandbox for Node (CLI, tests, benchmarks). Pyodide runs in a worker thread of a child
 * process started under Node's permission model: it may read only Pyodide, its own bundle and the
 * package directories, and may not write files or start processes. Around it, the walls of
 * node-wall.ts (no network, no signals, an unprivileged user) and no code from strings. In Node,
 * Pyodide's `js` module is the process's globalThis: these walls, not the Python policy, are
 * what keeps model code in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PlaygroundError } from '../errors.ts';
import { SandboxHost, type SandboxHostOptions } from './host.ts';
import { nodeBundles } from './node-bundle.ts';
import { encodeLine, LineReader } from './node-channel.ts';
import type { ExpectedWalls } from './node-lockdown.ts';
import {
  availableWheels,
  defaultWheelsDir,
  packageMounts,
  warmPackageCache,
  type PackageSource,
} from './node-packages.ts';
import { planWalls, warnMissingWalls, type WallMode, type WallStatus } from './node-wall.ts';
import { MEMORY_EXIT_CODE, type HostMessage, type RuntimeConfig } from './protocol.ts';
import {
  parsePythonPolicy,
  PYTHON_POLICY_ENV,
  PYTHON_POLICY_OFF_WARNING,
  type PythonPolicy,
} from './python-policy.ts';
import type { PythonSandbox, SandboxTool } from '../agent/ports.ts';
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
  /**
   * 'none' starts the child under the permission model alone, without the walls of node-wall.ts:
   * only for the benchmark's before/after. Default 'full'.
   */
  wall?: WallMode;
  /** Hears messages from the child that the host dropped (tests); default: the console. */
  onDroppedMessage?: (reason: string) => void;
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
    ...(options.onDroppedMessage ? { onDroppedMessage: options.onDroppedMessage } : {}),
  };
  const child: ChildOptions = {
    readPaths,
    memoryLimitMb: options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
    wall: options.wall ?? 'full',
  };
  return new SandboxHost((events) => new NodeChildTransport(events, child), hostOptions);
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

/** The walls a sandbox started now would have (for `playground doctor`). */
export async function nodeSandboxWalls(wall: WallMode = 'full'): Promise<WallStatus[]> {
  const b = await nodeBundles();
  return planWalls([b.dir, b.pyodideDir], wall).walls;
}

/** The flags the sandbox child runs with; exported so a test can prove what they block. */
export function permissionFlags(readPaths: string[], wall: WallMode = 'full'): string[] {
  // Node 20 has only the experimental flag; later versions call it --permission.
  const flag = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  return [
    flag,
    ...readPaths.filter((p) => existsSync(p)).map((p) => `--allow-fs-read=${p}`),
    '--allow-worker',
    // Pyodide needs no eval; without it, model code can only call the functions it can reach.
    ...(wall === 'full' ? ['--disallow-code-generation-from-strings'] : []),
    '--no-warnings',
  ];
}

interface ChildOptions {
  readPaths: string[];
  memoryLimitMb: number;
  wall: WallMode;
}

/** File descriptor of the child's messages to the host (fd 0 carries the host's to the child). */
const CHILD_OUT_FD = 3;

/**
 * Kills the child and everything it started. Killing only the launcher is not enough: setpriv's
 * change of user clears unshare's kill-on-parent-death, so the sandbox would live on. Its process
 * group (its own, `detached`) holds them all; closing stdin ends a child that escaped even that.
 */
function stopChild(child: ChildProcess): void {
  child.stdin?.destroy();
  if (child.pid !== undefined && process.platform !== 'win32') {
    try {
      process.kill(-child.pid, 'SIGKILL');
      return;
    } catch {
      // the group is gone already
    }
  }
  child.kill('SIGKILL');
}

class NodeChildTransport implements SandboxTransport {
  private child: ChildProcess | null = null;
  private queued: HostMessage[] = [];
  private dead = false;

  constructor(
    private readonly events: TransportEvents,
    private readonly options: ChildOptions,
  ) {
    nodeBundles().then(
      (b) => this.launch(b.child, b.worker, [b.dir, b.pyodideDir, ...options.readPaths]),
      (err: unknown) => this.exit(`bundling failed: ${PlaygroundError.from(err).message}`),
    );
  }

  send(message: HostMessage): void {
    if (this.dead) return;
    if (!this.child) {
      this.queued.push(message);
      return;
    }
    this.child.stdin?.write(encodeLine(message));
  }

  terminate(): void {
    this.dead = true;
    if (this.child) stopChild(this.child);
  }

  private launch(childFile: string, workerFile: string, readPaths: string[]): void {
    if (this.dead) return;
    const { memoryLimitMb, wall } = this.options;
    const paths = readPaths.filter((p) => existsSync(p));
    const plan = planWalls(paths, wall);
    if (wall === 'full') warnMissingWalls(plan.walls);
    const active = (id: string): boolean =>
      plan.walls.some((w) => w.id === id && w.state === 'active');
    const expected: ExpectedWalls = {
      wall,
      network: active('network'),
      pidNamespace: active('signals'),
    };
    let stderr = '';
    const child = spawn(
      plan.command,
      [
        ...plan.prefix,
        ...permissionFlags(paths, wall),
        childFile,
        workerFile,
        String(memoryLimitMb),
        JSON.stringify(expected),
      ],
      {
        stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
        env: { NODE_ENV: process.env.NODE_ENV ?? 'production' },
        cwd: join(childFile, '..'),
        // A session and process group of its own: kill(0) in the child reaches only itself.
        detached: process.platform !== 'win32',
        windowsHide: true,
      },
    );
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const reader = new LineReader({
      message: (m) => {
        if (!this.dead) this.events.onMessage(m);
      },
      invalid: (reason) => {
        if (!this.dead) this.events.onDropped?.(reason);
      },
      overflow: () => {
        if (this.dead) return;
        stopChild(child);
        this.exit('sent a message over the size limit and was stopped');
      },
    });
    const out = child.stdio[CHILD_OUT_FD];
    out?.on('data', (d: Buffer) => reader.push(d));
    // The child may close or break its pipes; that is its own loss, never the host's.
    for (const s of [child.stdin, out, child.stderr]) s?.on('error', () => undefined);
    child.on('exit', (code, sig) => {
      if (code === MEMORY_EXIT_CODE) {
        this.exit(`used more than ${memoryLimitMb} MB of memory`, 'memory');
        return;
      }
      const detail = stderr.trim().split('\n').pop() ?? '';
      this.exit(`exit ${sig ?? code}${detail ? `: ${detail}` : ''}`);
    });
    child.on('error', (err) => this.exit(err.message));
    for (const m of this.queued) child.stdin?.write(encodeLine(m));
    this.queued = [];
  }

  private exit(reason: string, cause?: 'memory'): void {
    const wasDead = this.dead;
    this.dead = true;
    this.child = null;
    if (!wasDead) this.events.onExit(reason, cause);
  }
}
