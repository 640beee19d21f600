/**
 * Which models sit in WebLLM's browser cache and how much they take. Reads the Cache API scopes
 * web-llm 0.2.86 writes ("webllm/model", "webllm/wasm", "webllm/config") directly, so listing
 * costs no web-llm download; deleting goes through web-llm so its bookkeeping stays right.
 */
import type { ModelEntry } from './model-registry.ts';
import { toWebLLMRecord } from './model-registry.ts';
import { PlaygroundError } from '../errors.ts';

const SCOPES = ['webllm/model', 'webllm/wasm', 'webllm/config'] as const;

export interface CachedModel {
  entry: ModelEntry;
  bytes: number;
  files: number;
  /** The weight manifest is present: the model loads without the network. */
  complete: boolean;
}

export interface StorageFigures {
  usageBytes: number | null;
  quotaBytes: number | null;
}

export async function listCachedModels(entries: readonly ModelEntry[]): Promise<CachedModel[]> {
  if (typeof caches === 'undefined') return [];
  const byScope = await Promise.all(
    SCOPES.map(async (scope) => {
      if (!(await caches.has(scope))) return { cache: null, keys: [] as Request[] };
      const cache = await caches.open(scope);
      return { cache, keys: [...(await cache.keys())] };
    }),
  );
  const out: CachedModel[] = [];
  for (const entry of entries) {
    const rec = toWebLLMRecord(entry, location.origin);
    const weightsPrefix = `${rec.model.replace(/\/$/, '')}/resolve/main/`;
    let bytes = 0;
    let files = 0;
    let complete = false;
    for (const { cache, keys } of byScope) {
      if (!cache) continue;
      for (const req of keys) {
        if (!req.url.startsWith(weightsPrefix) && req.url !== rec.model_lib) continue;
        files += 1;
        if (req.url.endsWith('/tensor-cache.json')) complete = true;
        bytes += await entrySize(cache, req);
      }
    }
    if (files > 0) out.push({ entry, bytes, files, complete });
  }
  return out;
}

async function entrySize(cache: Cache, req: Request): Promise<number> {
  const res = await cache.match(req);
  if (!res) return 0;
  const len = Number(res.headers.get('content-length'));
  if (Number.isFinite(len) && len > 0) return len;
  return (await res.blob()).size;
}

export async function deleteCachedModel(entry: ModelEntry): Promise<void> {
  const webllm = await import('@mlc-ai/web-llm');
  const rec = toWebLLMRecord(entry, location.origin);
  const weightsPrefix = `${rec.model.replace(/\/$/, '')}/resolve/main/`;
  try {
    await webllm.deleteModelAllInfoInCache(entry.id, { model_list: [rec], cacheBackend: 'cache' });
    // web-llm leaves tensor-cache.json (and shards of an interrupted download it never listed).
    for (const scope of SCOPES) {
      if (!(await caches.has(scope))) continue;
      const cache = await caches.open(scope);
      for (const req of await cache.keys()) {
        if (req.url.startsWith(weightsPrefix)) await cache.delete(req);
      }
    }
  } catch (err) {
    throw new PlaygroundError('storage_failed', `Could not delete ${entry.label} from the cache.`, {
      cause: err,
    });
  }
}

export async function storageFigures(): Promise<StorageFigures> {
  if (!navigator.storage?.estimate) return { usageBytes: null, quotaBytes: null };
  const e = await navigator.storage.estimate();
  return { usageBytes: e.usage ?? null, quotaBytes: e.quota ?? null };
}
