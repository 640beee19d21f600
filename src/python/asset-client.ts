/**
 * Inside the sandbox worker, which has no network: Pyodide's files (core, standard library, lock
 * file, package wheels) are asked of the page by name and arrive as bytes. `fetch` is how Pyodide
 * reads them, so the runtime wraps the worker's fetch (blocked by the frame's CSP) before
 * Pyodide loads.
 */
import type { AssetReply, AssetRequest } from './frame-protocol.ts';

const CONTENT_TYPES: Record<string, string> = {
  wasm: 'application/wasm',
  json: 'application/json',
  mjs: 'text/javascript',
  js: 'text/javascript',
};

export class AssetClient {
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve(bytes: ArrayBuffer): void; reject(err: Error): void }
  >();

  constructor(private readonly post: (message: AssetRequest) => void) {}

  get(name: string): Promise<ArrayBuffer> {
    const reqId = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, { resolve, reject });
      this.post({ type: 'asset_request', reqId, name });
    });
  }

  settle(reply: AssetReply): void {
    const p = this.pending.get(reply.reqId);
    if (!p) return;
    this.pending.delete(reply.reqId);
    if (reply.type === 'asset') p.resolve(reply.bytes);
    else p.reject(new Error(reply.message));
  }

  /**
   * A fetch for Pyodide: URLs under `indexURL` name a file by their last segment; anything else
   * goes to the worker's own fetch, which the frame's CSP blocks.
   */
  fetchFor(indexURL: string, fallback: typeof fetch): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith(indexURL)) return fallback(input, init);
      const name = decodeURIComponent(url.slice(indexURL.length).split(/[?#]/)[0] ?? '');
      const bytes = await this.get(name);
      const type = CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
      return new Response(bytes, { headers: { 'Content-Type': type } });
    };
  }
}

export function isAssetReply(m: unknown): m is AssetReply {
  const t = (m as { type?: unknown } | null)?.type;
  return t === 'asset' || t === 'asset_error';
}
