/**
 * The models the app can load: models/registry.json, validated at build time (build/vite/registry-check.ts)
 * and again when the app loads it, so a bad edit names the entry and field at fault.
 */
import { PlaygroundError } from '../errors.ts';
import { isPlainObject } from '../json.ts';
import { inSettingRange, settingRange } from '../agent/settings.ts';

export type Quantization = 'q4f16_1' | 'q4f32_1';
/** 'distilled': an agent-distilled student (docs/protocol.md section 1); 'base': a plain instruct model. */
export type ModelKind = 'distilled' | 'base';
/** Where the weights come from: WebLLM's prebuilt set, another hub repo, or models/<id>/ on disk. */
export type ModelSource = 'prebuilt' | 'hub' | 'local';

export interface SamplingDefaults {
  temperature: number;
  topP: number;
  samples: number;
  maxTokens: number;
}

export interface ModelEntry {
  /** WebLLM's model_id; also the cache key. */
  id: string;
  label: string;
  /** e.g. 'Qwen2.5-1.5B-Instruct': variants of one family share it. */
  family: string;
  /** Parameter count in billions, for ordering and "offer a smaller model". */
  paramsB: number;
  quantization: Quantization;
  kind: ModelKind;
  source: ModelSource;
  /** Absolute URL (or, for source 'local', a path on the app's origin) holding resolve/main/. */
  model: string;
  /** The compiled WebGPU library; a fine-tune reuses its base's. */
  modelLib: string;
  vramRequiredMB: number;
  contextWindowSize: number;
  /** Name of a prompt profile in src/agent/prompt-profiles.ts. */
  promptProfile: string;
  sampling: SamplingDefaults;
  /** For distilled checkpoints: the model_id they were trained from. */
  baseModel?: string;
  /** Free text shown to the user, e.g. provenance and licence. */
  notes?: string;
}

export interface ModelRegistry {
  version: 1;
  models: ModelEntry[];
  /** GGUF models for the CPU engines (wllama in the browser, llama.cpp in Node). */
  cpuModels: CpuModelEntry[];
}

const QUANTS: readonly string[] = ['q4f16_1', 'q4f32_1'];
const KINDS: readonly string[] = ['distilled', 'base'];
const SOURCES: readonly string[] = ['prebuilt', 'hub', 'local'];

type Obj = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new PlaygroundError('bad_input', `models/registry.json: ${where}: ${what}`);
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') fail(where, `"${key}" must be a non-empty string`);
  return v;
}

function num(o: Obj, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    fail(where, `"${key}" must be a number in [${min}, ${max}]`);
  return v;
}

/** A sampling value in the range of the settings table (src/agent/settings.ts). */
function setting(o: Obj, key: keyof SamplingDefaults, where: string): number {
  const v = o[key];
  if (!inSettingRange(key, v))
    fail(where, `"${key}" must be ${settingRange(key)}, got ${JSON.stringify(v)}`);
  return v;
}

function samplingDefaults(s: Obj, where: string): SamplingDefaults {
  return {
    temperature: setting(s, 'temperature', where),
    topP: setting(s, 'topP', where),
    samples: setting(s, 'samples', where),
    maxTokens: setting(s, 'maxTokens', where),
  };
}

function oneOf<T extends string>(
  o: Obj,
  key: string,
  where: string,
  allowed: readonly string[],
): T {
  const v = str(o, key, where);
  if (!allowed.includes(v)) fail(where, `"${key}" must be one of ${allowed.join(', ')}`);
  return v as T;
}

function url(o: Obj, key: string, where: string, allowPath: boolean): string {
  const v = str(o, key, where);
  if (allowPath && v.startsWith('/')) return v;
  try {
    const u = new URL(v);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    fail(where, `"${key}" must be an absolute http(s) URL${allowPath ? ' or a /path' : ''}`);
  }
  return v;
}

function entry(raw: unknown, i: number): ModelEntry {
  let where = `models[${i}]`;
  if (!isPlainObject(raw)) fail(where, 'must be an object');
  const id = str(raw, 'id', where);
  where = `model "${id}"`;
  const source = oneOf<ModelSource>(raw, 'source', where, SOURCES);
  const quantization = oneOf<Quantization>(raw, 'quantization', where, QUANTS);
  if (!id.includes(quantization)) fail(where, `"id" must name its quantization ${quantization}`);
  const s = raw.sampling;
  if (!isPlainObject(s)) fail(where, '"sampling" must be an object');
  const sampling = samplingDefaults(s, `${where} sampling`);
  const kind = oneOf<ModelKind>(raw, 'kind', where, KINDS);
  const out: ModelEntry = {
    id,
    label: str(raw, 'label', where),
    family: str(raw, 'family', where),
    paramsB: num(raw, 'paramsB', where, 0.01, 1000),
    quantization,
    kind,
    source,
    model: url(raw, 'model', where, source === 'local'),
    modelLib: url(raw, 'modelLib', where, true),
    vramRequiredMB: num(raw, 'vramRequiredMB', where, 1, 1e6),
    contextWindowSize: num(raw, 'contextWindowSize', where, 256, 1e6),
    promptProfile: str(raw, 'promptProfile', where),
    sampling,
  };
  if (raw.baseModel !== undefined) out.baseModel = str(raw, 'baseModel', where);
  if (raw.notes !== undefined) out.notes = str(raw, 'notes', where);
  if (kind === 'distilled' && !out.baseModel) fail(where, 'a distilled model needs "baseModel"');
  return out;
}

/** Checks a parsed registry.json and returns it typed; throws 'bad_input' naming the fault. */
export function validateRegistry(raw: unknown): ModelRegistry {
  if (!isPlainObject(raw)) fail('top level', 'must be an object');
  if (raw.version !== 1) fail('top level', '"version" must be 1');
  if (!Array.isArray(raw.models) || raw.models.length === 0)
    fail('top level', '"models" must be a non-empty array');
  const models = raw.models.map(entry);
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) fail(`model "${m.id}"`, 'duplicate id');
    seen.add(m.id);
  }
  for (const m of models) {
    if (m.baseModel && !seen.has(m.baseModel) && m.kind === 'distilled')
      fail(`model "${m.id}"`, `"baseModel" ${m.baseModel} is not in the registry`);
  }
  return { version: 1, models, cpuModels: cpuModels(raw.cpuModels, seen) };
}

/** Checks one entry kept outside registry.json (a model the user added in the browser). */
export function validateModelEntry(raw: unknown): ModelEntry {
  return entry(raw, 0);
}

/** The same model in the other quantization, e.g. for an adapter without shader-f16. */
export function variantOf(
  registry: ModelRegistry,
  model: ModelEntry,
  quantization: Quantization,
): ModelEntry | undefined {
  if (model.quantization === quantization) return model;
  return registry.models.find(
    (m) => m.family === model.family && m.kind === model.kind && m.quantization === quantization,
  );
}

/**
 * Models smaller than `model` of the same kind and quantization, largest first. Same kind: a
 * distilled agent and a base model need different prompts, so one is no stand-in for the other.
 */
export function smallerModels(registry: ModelRegistry, model: ModelEntry): ModelEntry[] {
  return registry.models
    .filter(
      (m) =>
        m.kind === model.kind &&
        m.quantization === model.quantization &&
        m.vramRequiredMB < model.vramRequiredMB,
    )
    .sort((a, b) => b.vramRequiredMB - a.vramRequiredMB);
}

/** WebLLM's AppConfig model record for an entry (the shape web-llm 0.2.86 reads). */
export function toWebLLMRecord(
  m: ModelEntry,
  origin: string,
): {
  model: string;
  model_id: string;
  model_lib: string;
  vram_required_MB: number;
  low_resource_required: boolean;
  overrides: { context_window_size: number };
} {
  // WebLLM wants absolute URLs; local entries are paths on our own origin.
  const abs = (u: string) => (u.startsWith('/') ? new URL(u, origin).href : u);
  return {
    model: abs(m.model),
    model_id: m.id,
    model_lib: abs(m.modelLib),
    vram_required_MB: m.vramRequiredMB,
    low_resource_required: true,
    overrides: { context_window_size: m.contextWindowSize },
  };
}

/**
 * A GGUF model for the CPU engines: one file llama.cpp loads (wllama in the browser, node-llama-cpp
 * in Node). The chat template is never taken from the file: the engines render Qwen2.5's.
 */
export interface CpuModelEntry {
  id: string;
  label: string;
  family: string;
  paramsB: number;
  /** Marks the entry as a CPU model; the only value so far. */
  engine: 'cpu';
  /** llama.cpp's quantization name, e.g. Q4_K_M. */
  quantization: string;
  kind: ModelKind;
  /** Absolute URL of the .gguf file, or a /path on the app's origin. */
  url: string;
  sizeBytes: number;
  sha256: string;
  license: string;
  contextWindowSize: number;
  promptProfile: string;
  sampling: SamplingDefaults;
  notes?: string;
}

function cpuModels(raw: unknown, ids: Set<string>): CpuModelEntry[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail('top level', '"cpuModels" must be an array');
  return raw.map((r: unknown, i) => {
    let where = `cpuModels[${i}]`;
    if (!isPlainObject(r)) fail(where, 'must be an object');
    const id = str(r, 'id', where);
    where = `CPU model "${id}"`;
    if (ids.has(id)) fail(where, 'duplicate id');
    ids.add(id);
    if (r.engine !== 'cpu') fail(where, '"engine" must be "cpu"');
    const sha256 = str(r, 'sha256', where);
    if (!/^[0-9a-f]{64}$/.test(sha256)) fail(where, '"sha256" must be 64 lowercase hex digits');
    const sizeBytes = num(r, 'sizeBytes', where, 1, 2 ** 53);
    if (!Number.isInteger(sizeBytes)) fail(where, '"sizeBytes" must be a whole number');
    const u = url(r, 'url', where, true);
    if (!/\.gguf$/i.test(u)) fail(where, '"url" must name a .gguf file');
    const s = r.sampling;
    if (!isPlainObject(s)) fail(where, '"sampling" must be an object');
    const out: CpuModelEntry = {
      id,
      label: str(r, 'label', where),
      family: str(r, 'family', where),
      paramsB: num(r, 'paramsB', where, 0.01, 1000),
      engine: 'cpu',
      quantization: str(r, 'quantization', where),
      kind: oneOf<ModelKind>(r, 'kind', where, KINDS),
      url: u,
      sizeBytes,
      sha256,
      license: str(r, 'license', where),
      contextWindowSize: num(r, 'contextWindowSize', where, 256, 1e6),
      promptProfile: str(r, 'promptProfile', where),
      sampling: samplingDefaults(s, `${where} sampling`),
    };
    if (r.notes !== undefined) out.notes = str(r, 'notes', where);
    return out;
  });
}
