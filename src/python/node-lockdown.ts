/**
 * The Node sandbox's worker thread, before Pyodide loads: takes away what model code would reach
 * for through `js` (globalThis) once the Python policy is bypassed, then measures the process
 * walls from inside and refuses to start when one that was planned does not hold. The realm
 * lockdown is the innermost wall only; the process walls (node-wall.ts) hold without it.
 */
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Capabilities of `process` that reach outside the sandbox: signals, modules, addons, handles. */
const PROCESS_CAPABILITIES = [
  'kill',
  '_kill',
  'getBuiltinModule',
  'dlopen',
  '_linkedBinding',
  '_getActiveHandles',
  '_getActiveRequests',
  'chdir',
  'loadEnvFile',
  'openStdin',
  'initgroups',
  'setuid',
  'seteuid',
  'setgid',
  'setegid',
  'setgroups',
] as const;

/** Network APIs of the realm. */
const GLOBAL_CAPABILITIES = ['fetch', 'WebSocket', 'EventSource'] as const;

/** What the host planned (node-wall.ts) and the worker must find true. */
export interface ExpectedWalls {
  /** 'none': the benchmark's "before", without the lockdown. */
  wall: 'full' | 'none';
  network: boolean;
  pidNamespace: boolean;
}

function denied(name: string): () => never {
  return () => {
    throw new Error(`${name} is not available in the Python sandbox`);
  };
}

function seal(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false });
}

/** Prepares the realm; returns what was removed. */
export function lockDownRealm(full: boolean): Record<string, string> {
  // Pyodide's NODEFS reads O_* flags through process.binding, which the permission model denies
  // anyway; this answers that one question and nothing else.
  const binding = (name: string): unknown => {
    if (name === 'constants') return { fs: constants };
    throw new Error(`process.binding('${name}') is not available in the sandbox`);
  };
  if (!full) {
    Object.defineProperty(process, 'binding', { value: binding, configurable: true });
    return {};
  }
  seal(process, 'binding', binding);
  let removed = 0;
  for (const key of PROCESS_CAPABILITIES) {
    if (!(key in process)) continue;
    seal(process, key, denied(`process.${key}`));
    removed++;
  }
  for (const key of GLOBAL_CAPABILITIES) {
    if (!(key in globalThis)) continue;
    seal(globalThis, key, denied(key));
    removed++;
  }
  return { jsCapabilities: `${removed} removed` };
}

function code(err: unknown): string {
  return String((err as { code?: unknown } | null)?.code ?? 'error');
}

/** A connection attempt to this machine: refused means the network is shared, unreachable not. */
async function probeNetwork(): Promise<string> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: 9 });
    s.on('connect', () => {
      s.destroy();
      resolve('allowed');
    });
    s.on('error', (err) => resolve(code(err)));
  });
}

/** Tries what an escape would try first; refuses to run Python unless each is denied. */
export async function probeIsolation(
  expected: ExpectedWalls,
  lockdown: Record<string, string>,
): Promise<Record<string, string>> {
  const fs = await import('node:fs');
  const facts: Record<string, string> = {};
  const probe = join(tmpdir(), `sandbox-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, 'x');
    fs.unlinkSync(probe);
    facts.fsWrite = 'allowed';
  } catch (err) {
    facts.fsWrite = code(err);
  }
  try {
    const cp = await import('node:child_process');
    cp.execFileSync(process.execPath, ['--version']);
    facts.childProcess = 'allowed';
  } catch (err) {
    facts.childProcess = code(err);
  }
  try {
    fs.readFileSync('/etc/passwd');
    facts.fsReadOutside = 'allowed';
  } catch (err) {
    facts.fsReadOutside = code(err);
  }
  const open = Object.keys(facts).filter((k) => facts[k] === 'allowed');
  if (expected.wall === 'full') {
    facts.network = await probeNetwork();
    if (expected.network && facts.network !== 'ENETUNREACH') open.push('network');
    // The first process of a new PID namespace is its pid 1.
    facts.pidNamespace = process.pid === 1 ? 'own' : 'shared';
    if (expected.pidNamespace && facts.pidNamespace !== 'own') open.push('signals');
    if (typeof process.getuid === 'function') facts.uid = String(process.getuid());
    Object.assign(facts, lockdown);
  }
  if (open.length)
    throw new Error(`the sandbox process is not isolated (${open.join(', ')} allowed)`);
  return facts;
}
