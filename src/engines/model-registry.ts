/**
 * The models the app can load: models/registry.json, validated at build time (build/vite/registry-check.ts)
 * and again when the app loads it, so a bad edit names the entry and field at fault.
 */
import { PlaygroundError } from '../errors.ts';
import {
  ShapeError,
  allOf,
  arrayOf,
  fieldPath,
  literal,
  nonEmptyString,
  numberFrom,
  object,
  oneOf,
  refuse,
  that,
  validate,
  type Check,
} from '../json-shape.ts';
import { settingCheck } from '../agent/settings.ts';

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

const QUANTS = ['q4f16_1', 'q4f32_1'] as const satisfies readonly Quantization[];
const KINDS = ['distilled', 'base'] as const satisfies readonly ModelKind[];
const SOURCES = ['prebuilt', 'hub', 'local'] as const satisfies readonly ModelSource[];

const httpUrl = (v: unknown): boolean => {
  try {
    const u = new URL(String(v));
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};
const url = that((v) => typeof v === 'string' && httpUrl(v), 'an absolute http(s) URL');
const urlOrPath = that(
  (v) => typeof v === 'string' && (v.startsWith('/') || httpUrl(v)),
  'an absolute http(s) URL or a /path',
);

const sampling = object<SamplingDefaults>({
  temperature: settingCheck('temperature'),
  topP: settingCheck('topP'),
  samples: settingCheck('samples'),
  maxTokens: settingCheck('maxTokens'),
});
const paramsB = numberFrom(0.01, 1000);
const contextWindowSize = numberFrom(256, 1e6);

/** A WebGPU model (also what the app keeps for a model the user added): its fields, then the rules across them. */
export const modelEntryCheck: Check = allOf(
  object<ModelEntry>({
    id: nonEmptyString,
    label: nonEmptyString,
    family: nonEmptyString,
    paramsB,
    quantization: oneOf(...QUANTS),
    kind: oneOf(...KINDS),
    source: oneOf(...SOURCES),
    model: urlOrPath,
    modelLib: urlOrPath,
    vramRequiredMB: numberFrom(1, 1e6),
    contextWindowSize,
    promptProfile: nonEmptyString,
    sampling,
    'baseModel?': nonEmptyString,
    'notes?': nonEmptyString,
  }),
  (v, p) => {
    const m = v as ModelEntry;
    if (m.source !== 'local') url(m.model, fieldPath(p, 'model'));
    if (!m.id.includes(m.quantization))
      refuse(fieldPath(p, 'id'), `must name its quantization ${m.quantization}`);
    if (m.kind === 'distilled' && m.baseModel === undefined)
      refuse(
        fieldPath(p, 'baseModel'),
        'is missing: a distilled model names the one it was trained from',
      );
  },
);

/** A GGUF model for the CPU engines. */
const cpuModelEntryCheck: Check = object<CpuModelEntry>({
  id: nonEmptyString,
  label: nonEmptyString,
  family: nonEmptyString,
  paramsB,
  engine: literal('cpu'),
  quantization: nonEmptyString,
  kind: oneOf(...KINDS),
  url: allOf(
    urlOrPath,
    that((v) => /\.gguf$/i.test(String(v)), 'the address of a .gguf file'),
  ),
  sizeBytes: numberFrom(1, 2 ** 53, { integer: true }),
  sha256: that((v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), '64 lowercase hex digits'),
  license: nonEmptyString,
  contextWindowSize,
  promptProfile: nonEmptyString,
  sampling,
  'notes?': nonEmptyString,
});

/** registry.json as written: `cpuModels` may be left out. */
type RegistryFile = Omit<ModelRegistry, 'cpuModels'> & { cpuModels?: CpuModelEntry[] };

const registryCheck: Check = allOf(
  object<RegistryFile>({
    version: literal(1),
    models: arrayOf(modelEntryCheck, { nonEmpty: true }),
    'cpuModels?': arrayOf(cpuModelEntryCheck),
  }),
  (v) => {
    const r = v as RegistryFile;
    const seen = new Set<string>();
    const unique = (list: 'models' | 'cpuModels') =>
      (r[list] ?? []).forEach((m, i) => {
        if (seen.has(m.id))
          refuse(
            `${list}[${i}].id`,
            `${JSON.stringify(m.id)} is a duplicate id: each model needs its own`,
          );
        seen.add(m.id);
      });
    unique('models');
    r.models.forEach((m, i) => {
      if (m.baseModel !== undefined && m.kind === 'distilled' && !seen.has(m.baseModel))
        refuse(`models[${i}].baseModel`, `${JSON.stringify(m.baseModel)} is not in the registry`);
    });
    unique('cpuModels');
  },
);

/** Checks a parsed registry.json and returns it typed; throws 'bad_input' naming the fault. */
export function validateRegistry(raw: unknown): ModelRegistry {
  let r: RegistryFile;
  try {
    r = validate<RegistryFile>(raw, registryCheck);
  } catch (err) {
    if (err instanceof ShapeError)
      throw new PlaygroundError('bad_input', `models/registry.json: ${err.message}.`);
    throw err;
  }
  return { version: 1, models: r.models, cpuModels: r.cpuModels ?? [] };
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
