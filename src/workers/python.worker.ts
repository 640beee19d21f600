// Browser Web Worker that runs the Python sandbox (created by src/python/browser-sandbox.ts).
import { loadPyodide } from 'pyodide';
import type { WorkerInbound, WorkerOutbound } from '../python/protocol.ts';
import { startRuntime } from '../python/runtime.ts';

interface WorkerScope {
  postMessage(message: WorkerOutbound): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerInbound>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
startRuntime(
  {
    post: (m) => scope.postMessage(m),
    onMessage: (h) => scope.addEventListener('message', (e) => h(e.data)),
  },
  loadPyodide,
);
