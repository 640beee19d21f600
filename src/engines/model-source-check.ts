/**
 * Checks a model before the user adds it: a Hugging Face repository (or any server laid out like
 * one, `<repo>/resolve/main/<file>`) or a folder picked in the browser. Reads the two manifests,
 * checks every file they name is there with its size, maps the architecture to a prebuilt WebLLM
 * library, and builds the registry entry the app then treats like its own. No weights are read.
 */
import { PlaygroundError } from '../errors.ts';
import { matchLibrary, type LibraryMatch } from './model-architecture.ts';
import {
  CHAT_CONFIG,
  TENSOR_CACHE,
  httpFolderAccess,
  validateModelFolder,
  type FolderAccess,
  type FolderCheck,
} from './model-folder.ts';
import type { ModelEntry, ModelRegistry } from './model-registry.ts';

export const DEFAULT_HUB = 'https://huggingface.co';

export interface HubRef {
  /** "owner/name" (or the path of the repository on another server). */
  repo: string;
  /** The repository URL WebLLM is given; files are under `<url>/resolve/main/`. */
  url: string;
  host: string;
}

const REPO_ID = /^[\w.-]+\/[\w.-]+$/;

/** Reads "owner/name" or a repository URL (a file or tree link inside it works too). */
export function parseHubRef(input: string, hub: string = DEFAULT_HUB): HubRef {
  const text = input.trim();
  if (REPO_ID.test(text)) {
    const url = `${hub.replace(/\/+$/, '')}/${text}`;
    return { repo: text, url, host: new URL(url).host };
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new PlaygroundError(
      'bad_input',
      `"${text}" is neither a repository id like mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC nor a URL.`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new PlaygroundError('bad_input', `Only http(s) URLs can be read, not ${u.protocol}.`);
  // Everything from /resolve/, /tree/ or /blob/ on names a revision or a file, not the repository.
  const path = u.pathname.replace(/\/(resolve|tree|blob)\/.*$/, '').replace(/\/+$/, '');
  const repo = path.replace(/^\/+/, '');
  if (!repo.includes('/'))
    throw new PlaygroundError(
      'bad_input',
      `${u.href} names no repository: give a URL like ${DEFAULT_HUB}/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC.`,
    );
  return { repo, url: `${u.origin}${path}`, host: u.host };
}

/** Where WebLLM reads a repository's files. */
export function filesUrl(ref: HubRef): string {
  return `${ref.url}/resolve/main/`;
}

export interface ModelSourceCheck {
  /** Ready to add: the files check out and a library fits. */
  ok: boolean;
  folder: FolderCheck;
  library: LibraryMatch | null;
  /** Every file WebLLM will fetch: manifests, tokenizer files and weight shards. */
  totalBytes: number;
  /** What stops it, one sentence each; empty when ok. */
  problems: string[];
}

/**
 * Remembers every size it learns, from a HEAD or a whole read, so that summing the files after
 * the folder check asks the server about none of them again.
 */
function rememberingSizes(access: FolderAccess): FolderAccess {
  const known = new Map<string, Promise<number | null>>();
  return {
    async read(path) {
      const bytes = await access.read(path);
      known.set(path, Promise.resolve(bytes ? bytes.byteLength : null));
      return bytes;
    },
    size(path) {
      const size = known.get(path) ?? access.size(path);
      known.set(path, size);
      return size;
    },
  };
}

/** Reads and checks the model at `source`; collects every problem instead of stopping at one. */
export async function checkModelSource(source: FolderAccess): Promise<ModelSourceCheck> {
  const access = rememberingSizes(source);
  const folder = await validateModelFolder(access);
  const problems = folder.problems.map((p) => p.message);
  const library = folder.chatConfig ? matchLibrary(folder.chatConfig) : null;
  if (library && !library.ok) problems.push(library.reason);
  let totalBytes = folder.weightBytes;
  const small = [CHAT_CONFIG, TENSOR_CACHE, ...tokenizerFiles(folder)];
  for (const f of small) totalBytes += (await access.size(f)) ?? 0;
  return { ok: problems.length === 0, folder, library, totalBytes, problems };
}

/** A manifest or HEAD request that takes longer than this means the hub is not answering. */
const HUB_REQUEST_TIMEOUT_MS = 30_000;

/** Checks a repository over HTTP; a server that cannot be read gets a message saying why. */
export async function checkHubModel(
  ref: HubRef,
  fetchImpl: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(HUB_REQUEST_TIMEOUT_MS) }),
): Promise<ModelSourceCheck> {
  try {
    return await checkModelSource(httpFolderAccess(filesUrl(ref), fetchImpl));
  } catch (err) {
    throw hubError(err, ref);
  }
}

function hubError(err: unknown, ref: HubRef): PlaygroundError {
  const message = err instanceof Error ? err.message : String(err);
  const status = Number(/HTTP (\d{3})/.exec(message)?.[1]);
  if (status === 401 || status === 403)
    return new PlaygroundError(
      'bad_input',
      `${ref.host} answered HTTP ${status} for ${ref.repo}: the repository does not exist, or it is private or gated (the app cannot sign in). Check the id, or download the folder and add it from disk.`,
      { cause: err },
    );
  if (status)
    return new PlaygroundError(
      'engine_unreachable',
      `${ref.host} answered HTTP ${status} for ${ref.repo}; try again later, or download the folder and add it from disk.`,
      { cause: err },
    );
  if (err instanceof PlaygroundError) return err;
  return new PlaygroundError(
    'engine_unreachable',
    `Could not reach ${ref.host} (${message}): check the address and the network, or download the folder and add it from disk.`,
    { cause: err },
  );
}

function tokenizerFiles(folder: FolderCheck): string[] {
  const files = folder.chatConfig?.tokenizer_files;
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [];
}

/** The files a model consists of, as WebLLM reads them: manifests, tokenizer, shards. */
export function modelFiles(folder: FolderCheck): string[] {
  return [CHAT_CONFIG, TENSOR_CACHE, ...tokenizerFiles(folder), ...folder.shardFiles];
}

/** A registry id for a model: its name, with the quantization in it as the registry requires. */
export function addedModelId(name: string, quantization: string): string {
  const clean = name
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 96);
  const id = clean || 'model';
  return id.includes(quantization) ? id : `${id}-${quantization}`;
}

export interface AddChoices {
  id: string;
  label: string;
  promptProfile: string;
  /** WebLLM's `model`: a repository URL, or a path on the app's origin for a copied folder. */
  model: string;
  source: 'hub' | 'local';
  /** Provenance shown to the user. */
  notes: string;
}

/**
 * The registry entry for a checked model. A model given the distilled prompt is listed as a
 * distilled agent when a registry base model shares its library; otherwise as a base model.
 */
export function addedEntry(
  check: ModelSourceCheck,
  registry: ModelRegistry,
  choices: AddChoices,
  sampling: { temperature: number; topP: number },
): ModelEntry {
  const lib = check.library;
  if (!check.ok || !lib?.ok)
    throw new PlaygroundError('bad_input', `The model cannot be added: ${check.problems[0] ?? ''}`);
  const base = registry.models.find(
    (m) => m.kind === 'base' && m.modelLib === lib.modelLib && m.quantization === lib.quantization,
  );
  const distilled = choices.promptProfile === 'distilled' && base !== undefined;
  return {
    id: choices.id,
    label: choices.label.trim() || choices.id,
    family: choices.id.replace(new RegExp(`-?${lib.quantization}.*$`), '') || choices.id,
    paramsB: lib.library.paramsB,
    quantization: lib.quantization,
    kind: distilled ? 'distilled' : 'base',
    source: choices.source,
    model: choices.model,
    modelLib: lib.modelLib,
    vramRequiredMB: lib.vramRequiredMB,
    contextWindowSize: lib.contextWindowSize,
    promptProfile: choices.promptProfile,
    sampling: {
      temperature: sampling.temperature,
      topP: sampling.topP,
      samples: 1,
      maxTokens: 1024,
    },
    ...(distilled && base ? { baseModel: base.id } : {}),
    notes: choices.notes,
  };
}
