/**
 * A local MLC model folder (`models/<id>/resolve/main/`): where the app finds it, whether it is
 * there, and whether WebLLM can load it. Runs in the browser (over HTTP) and in Node (over the
 * file system): the caller supplies the file access.
 */
import { PlaygroundError } from '../errors.ts';
import type { ModelEntry } from './model-registry.ts';
import { isPlainObject } from '../json.ts';

/** How the check reads the folder; both return null for a file that is not there (a 404). */
export interface FolderAccess {
  /** The whole file; used for the two small JSON manifests only. */
  read(path: string): Promise<Uint8Array | null>;
  /** The file's size in bytes, without reading it. */
  size(path: string): Promise<number | null>;
}

export type FolderProblemKind = 'missing' | 'bad_json' | 'bad_field' | 'wrong_size';

export interface FolderProblem {
  /** Path relative to the folder, e.g. "params_shard_3.bin". */
  file: string;
  kind: FolderProblemKind;
  /** What is wrong and what to do about it, in one sentence. */
  message: string;
}

export interface FolderCheck {
  ok: boolean;
  problems: FolderProblem[];
  /** Weight shards listed in tensor-cache.json. */
  shards: number;
  /** Their paths, relative to the folder, in manifest order. */
  shardFiles: string[];
  /** Bytes of weights listed in tensor-cache.json. */
  weightBytes: number;
  /** The parsed mlc-chat-config.json, when it parsed. */
  chatConfig: Record<string, unknown> | null;
}

export const CHAT_CONFIG = 'mlc-chat-config.json';
export const TENSOR_CACHE = 'tensor-cache.json';
/** The name MLC-LLM used before it renamed NDArray to Tensor (mlc-llm PR 3326). */
const OLD_TENSOR_CACHE = 'ndarray-cache.json';
const CONVERT_HINT = 'convert the model again with models/recipes/convert_mlc.sh';
/** Shard size checks in flight at once (HEAD requests in the browser). */
const PARALLEL = 8;

type Obj = Record<string, unknown>;
const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A manifest may only name files inside the folder. */
function isSafeRelative(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

async function readJson(
  access: FolderAccess,
  file: string,
  problems: FolderProblem[],
  missingHint: string,
): Promise<unknown> {
  const bytes = await access.read(file);
  if (bytes === null) {
    problems.push({ file, kind: 'missing', message: `${file} is missing: ${missingHint}.` });
    return undefined;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    problems.push({
      file,
      kind: 'bad_json',
      message: `${file} is not valid JSON (cut short or edited?): copy it again or ${CONVERT_HINT}.`,
    });
    return undefined;
  }
}

function checkChatConfig(raw: unknown, problems: FolderProblem[]): Obj | null {
  if (raw === undefined) return null;
  const bad = (what: string): null => {
    problems.push({
      file: CHAT_CONFIG,
      kind: 'bad_field',
      message: `${CHAT_CONFIG} ${what}: run mlc_llm gen_config again (see models/recipes/README.md).`,
    });
    return null;
  };
  if (!isPlainObject(raw)) return bad('is not a JSON object');
  const files = raw.tokenizer_files;
  if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === 'string'))
    return bad('has no "tokenizer_files" list');
  if (!files.includes('tokenizer.json') && !files.includes('tokenizer.model'))
    return bad('names neither tokenizer.json nor tokenizer.model in "tokenizer_files"');
  if (!isPlainObject(raw.conv_template)) return bad('has no "conv_template" object');
  if (!isCount(raw.vocab_size) || raw.vocab_size === 0) return bad('has no "vocab_size"');
  if (typeof raw.context_window_size !== 'number') return bad('has no "context_window_size"');
  return raw;
}

interface Shard {
  dataPath: string;
  nbytes: number;
}

function checkTensorCache(raw: unknown, problems: FolderProblem[]): Shard[] {
  if (raw === undefined) return [];
  const bad = (what: string): Shard[] => {
    problems.push({
      file: TENSOR_CACHE,
      kind: 'bad_field',
      message: `${TENSOR_CACHE} ${what}: copy it again or ${CONVERT_HINT}.`,
    });
    return [];
  };
  if (!isPlainObject(raw) || !Array.isArray(raw.records) || raw.records.length === 0)
    return bad('has no "records" list of weight shards');
  const shards: Shard[] = [];
  for (const [i, rec] of raw.records.entries()) {
    if (!isPlainObject(rec) || typeof rec.dataPath !== 'string' || !isCount(rec.nbytes))
      return bad(`record ${i} lacks a "dataPath" and a byte count "nbytes"`);
    if (!isSafeRelative(rec.dataPath))
      return bad(`record ${i} names "${rec.dataPath}", a path outside the folder`);
    // Tensors must fit in their shard, or WebLLM fails half-way through loading.
    const inner = Array.isArray(rec.records) ? rec.records : [];
    for (const t of inner) {
      const end =
        isPlainObject(t) && isCount(t.byteOffset) && isCount(t.nbytes)
          ? t.byteOffset + t.nbytes
          : -1;
      if (end < 0 || end > rec.nbytes)
        return bad(`shard ${rec.dataPath} lists a tensor outside its ${rec.nbytes} bytes`);
    }
    shards.push({ dataPath: rec.dataPath, nbytes: rec.nbytes });
  }
  return shards;
}

async function checkShards(
  access: FolderAccess,
  shards: readonly Shard[],
  problems: FolderProblem[],
): Promise<void> {
  const found: FolderProblem[][] = shards.map(() => []);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shards.length) {
      const i = next++;
      const s = shards[i] as Shard;
      const size = await access.size(s.dataPath);
      const out = found[i] as FolderProblem[];
      if (size === null) {
        out.push({
          file: s.dataPath,
          kind: 'missing',
          message: `${s.dataPath} is missing (${TENSOR_CACHE} lists it, ${mb(s.nbytes)}): copy every params_shard_*.bin of the converted model into the folder.`,
        });
      } else if (size !== s.nbytes) {
        out.push({
          file: s.dataPath,
          kind: 'wrong_size',
          message: `${s.dataPath} is ${size} bytes but ${TENSOR_CACHE} lists ${s.nbytes}: the copy is incomplete or from another conversion; copy it again.`,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, shards.length) }, worker));
  // Report in manifest order whatever order the checks finished in.
  for (const list of found) problems.push(...list);
}

/** Checks everything WebLLM reads from a model folder; collects every problem, not just the first. */
export async function validateModelFolder(access: FolderAccess): Promise<FolderCheck> {
  const problems: FolderProblem[] = [];
  const rawConfig = await readJson(
    access,
    CHAT_CONFIG,
    problems,
    `the folder is not an MLC model (run mlc_llm gen_config, or ${CONVERT_HINT})`,
  );
  const chatConfig = checkChatConfig(rawConfig, problems);

  const rawCache = await readJson(
    access,
    TENSOR_CACHE,
    problems,
    `it lists the weight shards (run mlc_llm convert_weight, or ${CONVERT_HINT})`,
  );
  const cacheMissing = problems.findIndex((p) => p.file === TENSOR_CACHE && p.kind === 'missing');
  if (cacheMissing !== -1 && (await access.size(OLD_TENSOR_CACHE)) !== null) {
    problems[cacheMissing] = {
      file: TENSOR_CACHE,
      kind: 'missing',
      message: `${TENSOR_CACHE} is missing but ${OLD_TENSOR_CACHE} is there (an older MLC-LLM): rename ${OLD_TENSOR_CACHE} to ${TENSOR_CACHE}.`,
    };
  }
  const shards = checkTensorCache(rawCache, problems);
  await checkShards(access, shards, problems);

  if (chatConfig) {
    for (const f of chatConfig.tokenizer_files as string[]) {
      if (!isSafeRelative(f)) continue;
      const size = await access.size(f);
      if (size === null || size === 0)
        problems.push({
          file: f,
          kind: 'missing',
          message: `${f} is ${size === 0 ? 'empty' : 'missing'} (${CHAT_CONFIG} names it): copy it from the model's Hugging Face folder or run mlc_llm gen_config again.`,
        });
    }
  }
  return {
    ok: problems.length === 0,
    problems,
    shards: shards.length,
    shardFiles: shards.map((s) => s.dataPath),
    weightBytes: shards.reduce((n, s) => n + s.nbytes, 0),
    chatConfig,
  };
}

/** The error to show for a failed check; `where` names the folder, e.g. "models/<id>/resolve/main". */
export function folderError(check: FolderCheck, where: string): PlaygroundError {
  const n = check.problems.length;
  const shown = check.problems.slice(0, 5).map((p) => `- ${p.message}`);
  if (n > 5) shown.push(`- and ${n - 5} more.`);
  return new PlaygroundError(
    'model_folder_invalid',
    `The model folder ${where} cannot be loaded (${n} problem${n === 1 ? '' : 's'}):\n${shown.join('\n')}`,
  );
}

/** Throws 'model_folder_invalid' naming each missing or wrong file. */
export async function assertModelFolder(access: FolderAccess, where: string): Promise<FolderCheck> {
  const check = await validateModelFolder(access);
  if (!check.ok) throw folderError(check, where);
  return check;
}

/** Reads a folder over HTTP (the browser, or Node's fetch): GET for manifests, HEAD for sizes. */
export function httpFolderAccess(
  baseUrl: string,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): FolderAccess {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = (p: string) => new URL(p, base).href;
  return {
    async read(path) {
      const res = await fetchImpl(url(path), { cache: 'no-store' });
      if (res.status === 404) return null;
      if (!res.ok)
        throw new PlaygroundError('model_load_failed', `${url(path)}: HTTP ${res.status}`);
      // A server without this folder may answer with its HTML page instead of a 404.
      if ((res.headers.get('content-type') ?? '').startsWith('text/html')) return null;
      return new Uint8Array(await res.arrayBuffer());
    },
    async size(path) {
      const res = await fetchImpl(url(path), { method: 'HEAD', cache: 'no-store' });
      if (res.status === 404) return null;
      if (!res.ok)
        throw new PlaygroundError('model_load_failed', `${url(path)}: HTTP ${res.status}`);
      if ((res.headers.get('content-type') ?? '').startsWith('text/html')) return null;
      const len = Number(res.headers.get('content-length'));
      return Number.isFinite(len) && res.headers.has('content-length') ? len : null;
    },
  };
}

/** Where the app serves a local model: WebLLM appends resolve/main/ to this path. */
export function localModelPath(id: string): string {
  return `/models/${encodeURIComponent(id)}`;
}

/** The absolute URL of a local model's files, under the app's base URL. */
export function localFolderUrl(id: string, appBase: string): string {
  return new URL(`${localModelPath(id).slice(1)}/resolve/main/`, appBase).href;
}

/** What the dev/preview server reports about models/ (GET /models/local.json). */
export interface LocalModelInfo {
  id: string;
  /** The folder passed validation on the server. */
  ok: boolean;
  /** Problems found, for the UI; empty when ok. */
  problems: string[];
  /** Model libraries (.wasm) placed next to the weights, for loading with no network. */
  libs: string[];
}

export interface ModelChoice {
  /** The entry to load: pointed at the local folder when there is one. */
  entry: ModelEntry;
  local: boolean;
  /** False for a local-only entry (e.g. a distilled checkpoint) whose folder is absent or broken. */
  available: boolean;
  /** Why it is unavailable, or what is wrong with the local copy. */
  problems: string[];
}

/**
 * Prefers a valid local copy of a model over its remote URL; a local-only entry without one is
 * unavailable. The model library is taken from the folder too when the same file sits there.
 */
export function chooseModelSource(
  entry: ModelEntry,
  local: readonly LocalModelInfo[],
): ModelChoice {
  const info = local.find((m) => m.id === entry.id);
  if (info?.ok) {
    const libName = entry.modelLib.split('/').pop() ?? '';
    const model = localModelPath(entry.id);
    const modelLib = info.libs.includes(libName)
      ? `${model}/resolve/main/${encodeURIComponent(libName)}`
      : entry.modelLib;
    return { entry: { ...entry, model, modelLib }, local: true, available: true, problems: [] };
  }
  const problems = info?.problems ?? [];
  if (entry.source === 'local') {
    const missing = info
      ? problems
      : [
          `Place the converted model in models/${entry.id}/resolve/main/ (see models/recipes/README.md).`,
        ];
    return { entry, local: false, available: false, problems: missing };
  }
  return { entry, local: false, available: true, problems };
}

/** Asks the app's server which models it holds locally; none when it does not say (static hosting). */
export async function fetchLocalModels(
  baseUrl: string,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): Promise<LocalModelInfo[]> {
  try {
    const res = await fetchImpl(new URL('models/local.json', baseUrl).href, { cache: 'no-store' });
    if (!res.ok) return [];
    const body: unknown = await res.json();
    if (!isPlainObject(body) || !Array.isArray(body.models)) return [];
    return body.models.filter(
      (m): m is LocalModelInfo =>
        isPlainObject(m) &&
        typeof m.id === 'string' &&
        typeof m.ok === 'boolean' &&
        Array.isArray(m.problems) &&
        Array.isArray(m.libs),
    );
  } catch {
    // An SPA fallback page instead of JSON, or no server at all: no local models.
    return [];
  }
}
