/**
 * Small MLC-format model folders (real manifests, tiny shards) and a local HTTP server that plays
 * a model hub: `/<owner>/<name>/resolve/main/<file>` with GET and HEAD, CORS for a page on another
 * origin, and 401 for a repository it does not hold (what Hugging Face answers).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export type ModelFiles = Map<string, Buffer>;

/** Qwen2.5 0.5B's real shape: WebLLM's prebuilt Qwen2-0.5B library fits it. */
export const QWEN_05B_CONFIG = {
  model_type: 'qwen2',
  quantization: 'q4f32_1',
  vocab_size: 151936,
  context_window_size: 32768,
  prefill_chunk_size: 1024,
  conv_template: { name: 'qwen2' },
  tokenizer_files: ['tokenizer.json', 'vocab.json'],
  model_config: {
    hidden_size: 896,
    intermediate_size: 4864,
    num_attention_heads: 14,
    num_hidden_layers: 24,
    num_key_value_heads: 2,
    vocab_size: 151936,
    head_dim: 64,
  },
};

/** A model folder: config, tokenizer files, and `shards` weight shards of `shardBytes` each. */
export function modelFolder(
  config: Record<string, unknown> = QWEN_05B_CONFIG,
  shards = 2,
  shardBytes = 4096,
): ModelFiles {
  const files: ModelFiles = new Map();
  files.set('mlc-chat-config.json', Buffer.from(JSON.stringify(config, null, 2)));
  files.set('tokenizer.json', Buffer.from(JSON.stringify({ model: { type: 'BPE' } })));
  files.set('vocab.json', Buffer.from('{"a": 0}'));
  const records = [];
  for (let i = 0; i < shards; i++) {
    const name = `params_shard_${i}.bin`;
    files.set(name, Buffer.alloc(shardBytes, i + 1));
    records.push({
      dataPath: name,
      format: 'raw-shard',
      nbytes: shardBytes,
      records: [
        {
          name: `w${i}`,
          shape: [shardBytes / 4],
          dtype: 'float32',
          byteOffset: 0,
          nbytes: shardBytes,
        },
      ],
    });
  }
  files.set('tensor-cache.json', Buffer.from(JSON.stringify({ metadata: {}, records })));
  return files;
}

/** Writes a folder as convert_mlc.sh does: `<dir>/<name>/resolve/main/<files>`. */
export function writeModelFolder(dir: string, name: string, files: ModelFiles): string {
  const main = join(dir, name, 'resolve', 'main');
  mkdirSync(main, { recursive: true });
  for (const [file, body] of files) writeFileSync(join(main, file), body);
  return join(dir, name);
}

export interface ModelHub {
  url: string;
  /** Repositories by "owner/name"; change them between requests as a test needs. */
  repos: Map<string, ModelFiles>;
  /** Paths requested, with their method ("GET /o/n/resolve/main/x"). */
  requests: string[];
  close(): Promise<void>;
}

export async function startModelHub(): Promise<ModelHub> {
  const repos = new Map<string, ModelFiles>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    requests.push(`${req.method ?? ''} ${path}`);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.writeHead(204).end();
      return;
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(path);
    const repo = m?.[1] ? repos.get(m[1]) : undefined;
    if (!m || !repo) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end('{"error":"Repository not found"}');
      return;
    }
    const body = repo.get(m[2] ?? '');
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"Entry not found"}');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.byteLength),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url,
    repos,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
