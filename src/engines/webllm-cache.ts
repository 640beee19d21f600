/**
 * Which models sit in WebLLM's browser cache and how much they take. Reads the Cache API scopes
 * web-llm 0.2.86 writes ("webllm/model", "webllm/wasm", "webllm/config") directly, so listing
 * costs no web-llm download, and neither does deleting.
 */
import type { ModelEntry } from './model-registry.ts';
import { toWebLLMRecord } from './model-registry.ts';
import { PlaygroundError } from '../errors.ts';

/** web-llm's Cache API scopes: weights and tokenizer, model libraries, chat configs. */
export const MODEL_SCOPE = 'webllm/model';
export const WASM_SCOPE = 'webllm/wasm';
export const CONFIG_SCOPE = 'webllm/config';
const SCOPES = [MODEL_SCOPE, WASM_SCOPE, CONFIG_SCOPE] as const;

/** Where web-llm keys a model's files: `<model>/resolve/main/<file>` (its cleanModelUrl). */
export function cachedFilesUrl(entry: ModelEntry, origin: string): string {
  const model = toWebLLMRecord(entry, origin).model;
  return /\/resolve\/[^/]+\/?$/.test(model)
    ? model.replace(/\/?$/, '/')
    : `${model.replace(/\/$/, '')}/resolve/main/`;
}

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

/** Whether a cached URL is one of the model's files: its weights or its model library. */
function modelFileTest(entry: ModelEntry): (url: string) => boolean {
  const lib = toWebLLMRecord(entry, location.origin).model_lib;
  const weights = cachedFilesUrl(entry, location.origin);
  return (url) => url.startsWith(weights) || url === lib;
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
    const isModelFile = modelFileTest(entry);
    let bytes = 0;
    let files = 0;
    let complete = false;
    for (const { cache, keys } of byScope) {
      if (!cache) continue;
      for (const req of keys) {
        if (!isModelFile(req.url)) continue;
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

/**
 * Deletes every file of a model from web-llm's scopes, itself rather than through web-llm:
 * web-llm re-fetches tensor-cache.json to find the shards (a network request, or a failure for a
 * model copied in from a folder) and leaves shards of an interrupted download behind. The model
 * library goes too, as web-llm does; another model using it fetches it again.
 */
export async function deleteCachedModel(entry: ModelEntry): Promise<void> {
  const isModelFile = modelFileTest(entry);
  try {
    for (const scope of SCOPES) {
      if (!(await caches.has(scope))) continue;
      const cache = await caches.open(scope);
      for (const req of await cache.keys()) {
        if (isModelFile(req.url)) await cache.delete(req);
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
