/**
 * The page's side of the browser wall (docs/sandbox-security.md, "Browser"). Pyodide runs in a
 * worker inside an opaque-origin sandboxed frame whose CSP denies every network request, so code
 * in the worker reaches no storage, cache, service worker or server of the app. The frame's one
 * MessagePort is its only channel. The frame's own messages (asset requests, exit) are checked
 * here; protocol messages go to the host, which checks them as it does for every transport
 * (protocol-check.ts). Whatever breaks the protocol is dropped and logged, never acted on. Pyodide's files are fetched here, from the
 * app's origin (through the service worker, so offline too), and handed over as bytes.
 */
import { FRAME_SCRIPT, FRAME_SCRIPT_HASH, WORKER_SCRIPT } from 'virtual:python-sandbox';
import {
  LOCK_FILE,
  PYODIDE_CORE_FILES,
  type FrameConnect,
  type FrameInbound,
} from './frame-protocol.ts';
import type { HostMessage } from './protocol.ts';
import type { SandboxTransport, TransportEvents } from './transport.ts';

/** The frame's CSP, inherited by its workers: they load nothing from anywhere. */
export const FRAME_CSP = [
  "default-src 'none'",
  // Pyodide compiles WebAssembly and evaluates JavaScript (its FFI); the worker and Pyodide's own
  // module start from blob: URLs minted inside the frame.
  `script-src '${FRAME_SCRIPT_HASH}' blob: 'unsafe-eval' 'wasm-unsafe-eval'`,
  'worker-src blob:',
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function frameDocument(): string {
  return [
    '<!doctype html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">`,
    `<script>${FRAME_SCRIPT}</script>`,
    '</head><body></body></html>',
  ].join('');
}

export class FrameTransport implements SandboxTransport {
  private readonly frame: HTMLIFrameElement;
  private readonly port: MessagePort;
  private dead = false;

  /** `indexURL`: absolute URL of Pyodide's directory on the app's origin. */
  constructor(
    private readonly events: TransportEvents,
    private readonly indexURL: string,
  ) {
    const frame = document.createElement('iframe');
    this.frame = frame;
    // allow-scripts without allow-same-origin: an opaque origin, and no navigating the page.
    frame.setAttribute('sandbox', 'allow-scripts');
    // SharedArrayBuffer inside the frame (interrupts, tool replies) needs this delegation.
    frame.setAttribute('allow', 'cross-origin-isolated');
    frame.title = 'Python sandbox';
    frame.hidden = true;
    frame.srcdoc = frameDocument();
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent<unknown>) => this.receive(e.data);
    let loads = 0;
    frame.addEventListener('load', () => {
      if (++loads > 1) {
        // Our frame never navigates; if it did, it is not our code any more.
        this.exit('the sandbox frame navigated away');
        return;
      }
      const hello: FrameConnect = { type: 'connect', workerSource: WORKER_SCRIPT };
      // An opaque origin has no name to target: '*' is the only way, and the port is the secret.
      frame.contentWindow?.postMessage(hello, '*', [channel.port2]);
    });
    document.body.append(frame);
  }

  send(message: HostMessage): void {
    if (!this.dead) this.post(message);
  }

  terminate(): void {
    if (this.dead) return;
    this.dead = true;
    this.port.close();
    // Discarding the frame's document terminates its worker, even in the middle of Python code.
    this.frame.remove();
  }

  private post(message: FrameInbound, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }

  private exit(reason: string): void {
    if (this.dead) return;
    this.terminate();
    this.events.onExit(reason);
  }

  private drop(reason: string): void {
    this.events.onDropped?.(reason);
  }

  private receive(data: unknown): void {
    if (this.dead) return;
    const type = (data as { type?: unknown } | null)?.type;
    if (type === 'asset_request') return this.serveAsset(data);
    if (type === 'exit') {
      const reason = (data as { reason?: unknown }).reason;
      if (typeof reason !== 'string' || Object.keys(data as object).length !== 2)
        return this.drop('a malformed exit');
      return this.exit(reason.slice(0, 300));
    }
    this.events.onMessage(data);
  }

  private serveAsset(data: unknown): void {
    const m = data as { reqId?: unknown; name?: unknown };
    const { reqId, name } = m;
    if (
      Object.keys(m).length !== 3 ||
      typeof reqId !== 'number' ||
      !Number.isSafeInteger(reqId) ||
      typeof name !== 'string'
    )
      return this.drop('a malformed asset request');
    pyodideFileNames(this.indexURL)
      .then(async (names) => {
        // Only Pyodide's own files: the worker never makes this page fetch anything else.
        if (!names.has(name)) {
          this.drop(`a request for ${JSON.stringify(name.slice(0, 100))}, not a file of Pyodide's`);
          throw new Error(`${name} is not one of Pyodide's files`);
        }
        const res = await fetch(new URL(name, this.indexURL));
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        const bytes = await res.arrayBuffer();
        if (!this.dead) this.post({ type: 'asset', reqId, bytes }, [bytes]);
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (!this.dead) this.post({ type: 'asset_error', reqId, message });
      });
  }
}

/** Per Pyodide directory, kept across restarts: a restarted sandbox asks for the same files. */
const fileNames = new Map<string, Promise<Set<string>>>();

/** Pyodide's core files and the wheels its lock file names. */
function pyodideFileNames(indexURL: string): Promise<Set<string>> {
  const known = fileNames.get(indexURL);
  if (known) return known;
  const names = fetch(new URL(LOCK_FILE, indexURL))
    .then((res) => {
      if (!res.ok) throw new Error(`${LOCK_FILE}: HTTP ${res.status}`);
      return res.json() as Promise<unknown>;
    })
    .then((lock) => {
      const all = new Set(PYODIDE_CORE_FILES);
      const packages = (lock as { packages?: unknown } | null)?.packages;
      if (typeof packages === 'object' && packages !== null)
        for (const p of Object.values(packages)) {
          const file = (p as { file_name?: unknown } | null)?.file_name;
          if (typeof file === 'string') all.add(file);
        }
      return all;
    })
    .catch(() => {
      // Core files only, this time: the next sandbox start asks again.
      fileNames.delete(indexURL);
      return new Set(PYODIDE_CORE_FILES);
    });
  fileNames.set(indexURL, names);
  return names;
}
