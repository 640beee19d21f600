// Entry of the Node sandbox child process (run under Node's permission model): relays the host's
// IPC messages to the Pyodide worker thread through a RuntimeLink.
import { Worker } from 'node:worker_threads';
import { MEMORY_EXIT_CODE, type HostMessage, type WorkerOutbound } from '../python/protocol.ts';
import { RuntimeLink } from '../python/runtime-link.ts';

const workerFile = process.argv[2];
const send = process.send?.bind(process);
if (!workerFile || !send) {
  console.error('usage: forked with the worker bundle path as the first argument');
  process.exit(2);
}
const worker = new Worker(workerFile, { resourceLimits: { stackSizeMb: 16 } });
const link = new RuntimeLink(worker, (m) => send(m));
worker.on('message', (m: WorkerOutbound) => link.fromWorker(m));
worker.on('error', (err) => {
  console.error(`python worker failed: ${err.message}`);
  process.exit(70);
});
worker.on('exit', (code) => process.exit(code === 0 ? 71 : 70));
process.on('message', (m: HostMessage) => link.fromHost(m));

// Wasm memory only grows, so a process over its cap stays over it: stop, and let the host restart
// a fresh interpreter. The main thread stays idle
// while Python runs in the worker, so the check runs even during a tight allocation loop.
const limitMb = Number(process.argv[3]);
if (limitMb > 0) {
  setInterval(() => {
    if (process.memoryUsage.rss() > limitMb * 2 ** 20) process.exit(MEMORY_EXIT_CODE);
  }, 100).unref();
}
process.on('disconnect', () => process.exit(0));
