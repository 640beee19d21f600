// The opaque-origin sandboxed frame between the page and the Pyodide worker (browser-sandbox.ts):
// it owns the worker and the shared buffers (they cannot cross to the page's agent cluster).
import type {
  FrameConnect,
  FrameInbound,
  FrameOutbound,
  SandboxWorkerOutbound,
} from '../python/frame-protocol.ts';
import { RuntimeLink } from '../python/runtime-link.ts';

function connect(e: MessageEvent<FrameConnect>): void {
  const port = e.ports[0];
  if (e.source !== parent || e.data?.type !== 'connect' || !port) return;
  removeEventListener('message', connect);
  start(port, e.data.workerSource);
}
addEventListener('message', connect);

function start(port: MessagePort, workerSource: string): void {
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'python-sandbox' });
  const toHost = (m: FrameOutbound): void => port.postMessage(m);
  const link = new RuntimeLink(worker, toHost);
  // What the worker sends is untrusted and goes to the page as it is: the page checks it.
  worker.onmessage = (ev: MessageEvent<SandboxWorkerOutbound>) => {
    const m = ev.data;
    if (typeof m !== 'object' || m === null) return;
    if (m.type === 'asset_request') toHost(m);
    // Only this frame reports the worker's death; the worker cannot say it for itself.
    else if ((m as { type?: unknown }).type === 'exit')
      console.warn(
        'playground: Dropped a message from the Python sandbox: an exit from the worker.',
      );
    else link.fromWorker(m);
  };
  worker.onerror = (ev) => {
    ev.preventDefault();
    toHost({ type: 'exit', reason: ev.message || 'worker error' });
  };
  port.onmessage = (ev: MessageEvent<FrameInbound>) => {
    const m = ev.data;
    if (m.type === 'asset') worker.postMessage(m, [m.bytes]);
    else if (m.type === 'asset_error') worker.postMessage(m);
    else link.fromHost(m);
  };
}
