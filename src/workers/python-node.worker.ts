// Node worker_thread inside the sandbox child process: Pyodide runs here, so the child's main
// thread stays free to write interrupts and tool replies while Python is busy.
import { parentPort, workerData } from 'node:worker_threads';
import { lockDownRealm, probeIsolation, type ExpectedWalls } from '../python/node-lockdown.ts';
import type { WorkerInbound } from '../python/protocol.ts';
import { startRuntime } from '../python/worker-runtime.ts';

const port = parentPort;
if (!port) throw new Error('python-node.worker must run in a worker thread');
const expected = workerData as ExpectedWalls;
// Before anything else of this realm runs: later code, model code included, finds them gone.
const lockdown = lockDownRealm(expected.wall !== 'none');
// Imported only now, so Pyodide's module code cannot keep what the lockdown took away.
const { loadPyodide } = await import('pyodide');
startRuntime(
  {
    post: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', (m: WorkerInbound) => h(m)),
  },
  loadPyodide,
  () => probeIsolation(expected, lockdown),
);
