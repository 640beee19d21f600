// Node worker_thread inside the sandbox child process: Pyodide runs here, so the child's main
// thread stays free to write interrupts and tool replies while Python is busy.
import { constants, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { loadPyodide } from 'pyodide';
import type { WorkerInbound } from '../python/protocol.ts';
import { startRuntime } from '../python/runtime.ts';

// Pyodide's NODEFS reads O_* flags through process.binding, which the permission model denies.
const binding = (name: string): unknown => {
  if (name === 'constants') return { fs: constants };
  throw new Error(`process.binding('${name}') is not available in the sandbox`);
};
Object.defineProperty(process, 'binding', { value: binding, configurable: true, writable: true });

const port = parentPort;
if (!port) throw new Error('python-node.worker must run in a worker thread');
startRuntime(
  {
    post: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', (m: WorkerInbound) => h(m)),
  },
  loadPyodide,
  probeIsolation,
);

/** Tries what an escape would try first; refuses to run Python unless each is denied. */
async function probeIsolation(): Promise<Record<string, string>> {
  const code = (err: unknown): string =>
    String((err as { code?: unknown } | null)?.code ?? 'error');
  const facts: Record<string, string> = {};
  const probe = join(tmpdir(), `sandbox-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'x');
    unlinkSync(probe);
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
    await import('node:fs').then((fs) => fs.readFileSync('/etc/passwd'));
    facts.fsReadOutside = 'allowed';
  } catch (err) {
    facts.fsReadOutside = code(err);
  }
  const open = Object.entries(facts).filter(([, v]) => v === 'allowed');
  if (open.length)
    throw new Error(
      `the sandbox process is not isolated (${open.map(([k]) => k).join(', ')} allowed)`,
    );
  return facts;
}
