/**
 * A model folder picked in the browser (the output of models/recipes/convert_mlc.sh), copied into
 * web-llm's Cache API scopes under the URLs web-llm will ask for, so it loads with no server at
 * all: the chat config in "webllm/config", manifest, tokenizer and shards in "webllm/model", and a
 * model library found in the folder in "webllm/wasm" under the entry's library URL.
 */
import { PlaygroundError } from '../errors.ts';
import { CHAT_CONFIG, TENSOR_CACHE, type FolderAccess, type FolderCheck } from './model-folder.ts';
import type { ModelEntry } from './model-registry.ts';
import { modelFiles } from './model-source-check.ts';
import { CONFIG_SCOPE, MODEL_SCOPE, WASM_SCOPE, cachedFilesUrl } from './webllm-cache.ts';

/** A picked folder: files by their path below the model's root (where mlc-chat-config.json is). */
export interface PickedFolder {
  /** The model's name: the folder above resolve/main/, or the picked folder itself. */
  name: string;
  files: Map<string, Blob>;
}

/**
 * Finds the model inside what a folder picker returned (paths like "<picked>/resolve/main/x"):
 * the shallowest folder holding mlc-chat-config.json.
 */
export function pickedFolder(items: readonly { path: string; blob: Blob }[]): PickedFolder {
  const configs = items
    .map((i) => i.path.split('/'))
    .filter((parts) => parts[parts.length - 1] === CHAT_CONFIG)
    .sort((a, b) => a.length - b.length);
  const first = configs[0];
  if (!first) {
    throw new PlaygroundError(
      'bad_input',
      `The picked folder holds no ${CHAT_CONFIG}: pick the folder convert_mlc.sh wrote (models/<id>-<quant>-MLC) or its resolve/main/.`,
    );
  }
  const root = first.slice(0, -1);
  const prefix = root.length ? `${root.join('/')}/` : '';
  const files = new Map<string, Blob>();
  for (const { path, blob } of items) {
    if (path.startsWith(prefix)) files.set(path.slice(prefix.length), blob);
  }
  const atResolveMain =
    root.length >= 3 && root[root.length - 1] === 'main' && root[root.length - 2] === 'resolve';
  const name = (atResolveMain ? root[root.length - 3] : root[root.length - 1]) ?? 'model';
  return { name, files };
}

/** Reads a picked folder the way the model check reads a server. */
export function blobFolderAccess(files: ReadonlyMap<string, Blob>): FolderAccess {
  return {
    async read(path) {
      const blob = files.get(path);
      return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
    },
    async size(path) {
      return files.get(path)?.size ?? null;
    },
  };
}

const TYPES: Record<string, string> = {
  json: 'application/json',
  wasm: 'application/wasm',
};

function response(blob: Blob, name: string): Response {
  const ext = name.split('.').pop() ?? '';
  return new Response(blob, {
    headers: {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': String(blob.size),
    },
  });
}

export interface CopyProgress {
  doneBytes: number;
  totalBytes: number;
  file: string;
}

export interface CopyResult {
  bytes: number;
  /** The model library was in the folder: loading needs no network at all. */
  library: boolean;
}

/**
 * Copies the checked folder into web-llm's cache for `entry`. tensor-cache.json goes last, so a
 * copy cut short never looks complete; on failure everything copied is removed again.
 */
export async function copyFolderToCache(
  folder: PickedFolder,
  check: FolderCheck,
  entry: ModelEntry,
  options: { origin: string; onProgress?: (p: CopyProgress) => void; signal?: AbortSignal },
): Promise<CopyResult> {
  if (typeof caches === 'undefined')
    throw new PlaygroundError(
      'storage_failed',
      'This browser offers no Cache Storage here (a private window, or a page not served over https): the model cannot be stored.',
    );
  const base = cachedFilesUrl(entry, options.origin);
  const libName = entry.modelLib.split('/').pop() ?? '';
  const names = modelFiles(check).filter((f) => f !== TENSOR_CACHE);
  const plan: { scope: string; url: string; name: string; blob: Blob }[] = [];
  for (const name of [...names, TENSOR_CACHE]) {
    const blob = folder.files.get(name);
    if (!blob) throw new PlaygroundError('bad_input', `${name} is missing from the folder.`);
    plan.push({
      scope: name === CHAT_CONFIG ? CONFIG_SCOPE : MODEL_SCOPE,
      url: base + name,
      name,
      blob,
    });
  }
  const lib = folder.files.get(libName);
  if (lib && libName.endsWith('.wasm')) {
    // Before the manifest, so "complete" still means everything is there.
    plan.splice(plan.length - 1, 0, {
      scope: WASM_SCOPE,
      url: entry.modelLib,
      name: libName,
      blob: lib,
    });
  }
  const totalBytes = plan.reduce((n, p) => n + p.blob.size, 0);
  await ensureRoom(totalBytes);
  let doneBytes = 0;
  const written: { scope: string; url: string }[] = [];
  try {
    for (const p of plan) {
      if (options.signal?.aborted) throw new PlaygroundError('aborted', 'Copying was cancelled.');
      const cache = await caches.open(p.scope);
      await cache.put(new Request(p.url), response(p.blob, p.name));
      written.push(p);
      doneBytes += p.blob.size;
      options.onProgress?.({ doneBytes, totalBytes, file: p.name });
    }
  } catch (err) {
    for (const w of written) await (await caches.open(w.scope)).delete(w.url).catch(() => false);
    if (err instanceof PlaygroundError) throw err;
    const quota = err instanceof DOMException && err.name === 'QuotaExceededError';
    throw new PlaygroundError(
      'storage_failed',
      quota
        ? `The browser ran out of storage for this site while copying ${entry.label}: delete models you no longer use (Models), then try again.`
        : `Copying ${entry.label} into the browser's model cache failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return { bytes: totalBytes, library: lib !== undefined && libName.endsWith('.wasm') };
}

/** Refuses early when the site's storage quota cannot hold the copy. */
async function ensureRoom(bytes: number): Promise<void> {
  if (typeof navigator === 'undefined' || !navigator.storage?.estimate) return;
  // Ask the browser not to evict the model under storage pressure; it may say no.
  await navigator.storage.persist?.().catch(() => false);
  const { usage, quota } = await navigator.storage.estimate();
  if (usage === undefined || quota === undefined) return;
  if (quota - usage < bytes) {
    const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;
    throw new PlaygroundError(
      'storage_failed',
      `The model needs ${gb(bytes)} but this site may store only ${gb(quota - usage)} more: delete models you no longer use (Models), or free disk space.`,
    );
  }
}

/**
 * Whether web-llm would load `entry` from the cache alone: its chat config, manifest and every
 * shard the manifest lists are there (what web-llm's own hasModelInCache checks, plus the config).
 */
export async function hasCompleteCopy(entry: ModelEntry, origin: string): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  const base = cachedFilesUrl(entry, origin);
  if (!(await caches.has(MODEL_SCOPE)) || !(await caches.has(CONFIG_SCOPE))) return false;
  const model = await caches.open(MODEL_SCOPE);
  const config = await caches.open(CONFIG_SCOPE);
  if (!(await config.match(base + CHAT_CONFIG))) return false;
  const manifest = await model.match(base + TENSOR_CACHE);
  if (!manifest) return false;
  try {
    const body = (await manifest.json()) as { records?: { dataPath?: unknown }[] };
    const shards = (body.records ?? []).map((r) => r.dataPath);
    if (shards.length === 0 || !shards.every((p) => typeof p === 'string')) return false;
    const keys = new Set((await model.keys()).map((r) => r.url));
    return shards.every((p) => keys.has(new URL(p as string, base).href));
  } catch {
    return false;
  }
}
