// Node worker_thread inside the sandbox child process: Pyodide runs here, so the child's main
// thread stays free to write interrupts and tool replies while Python is busy.
import { constants } from 'node:fs';
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
);
