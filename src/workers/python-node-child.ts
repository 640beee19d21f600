// Entry of the Node sandbox child process (run under Node's permission model, inside the walls of
// node-wall.ts): relays the host's messages (JSON lines on stdin) to the Pyodide worker thread
// through a RuntimeLink, and the worker's back as JSON lines on fd 3.
import { createWriteStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { encodeLine, LineReader } from '../python/node-channel.ts';
import { MEMORY_EXIT_CODE, type HostMessage, type WorkerOutbound } from '../python/protocol.ts';
import { RuntimeLink } from '../python/runtime-link.ts';

const [workerFile, limitArg, walls] = process.argv.slice(2);
if (!workerFile || !walls) {
  console.error('usage: python-node-child <worker bundle> <memory limit MB> <expected walls JSON>');
  process.exit(2);
}
const out = createWriteStream('', { fd: 3 });
out.on('error', () => process.exit(0));
const worker = new Worker(workerFile, {
  resourceLimits: { stackSizeMb: 16 },
  workerData: JSON.parse(walls) as unknown,
});
const link = new RuntimeLink(worker, (m) => out.write(encodeLine(m)));
worker.on('message', (m: WorkerOutbound) => link.fromWorker(m));
worker.on('error', (err) => {
  console.error(`python worker failed: ${err.message}`);
  process.exit(70);
});
worker.on('exit', (code) => process.exit(code === 0 ? 71 : 70));

// The host is trusted; its lines are its messages.
const reader = new LineReader({
  message: (m) => link.fromHost(m as HostMessage),
  invalid: () => undefined,
  overflow: () => process.exit(2),
});
process.stdin.on('data', (d: Buffer) => reader.push(d));
// The host is gone (or closed the channel): nothing more to do.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));

// Wasm memory only grows, so a process over its cap stays over it: stop, and let the host restart
// a fresh interpreter. The main thread stays idle
// while Python runs in the worker, so the check runs even during a tight allocation loop.
const limitMb = Number(limitArg);
if (limitMb > 0) {
  setInterval(() => {
    if (process.memoryUsage.rss() > limitMb * 2 ** 20) process.exit(MEMORY_EXIT_CODE);
  }, 100).unref();
}
