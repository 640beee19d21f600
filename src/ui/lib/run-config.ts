/**
 * Everything that decides how a run is made, and its URL form for deep links
 * (`#/chat?q=...&mode=agent&model=...&engine=openai&baseUrl=...&modelName=...&seed=7&run=1`).
 */
import type { AgentMode } from '../../agent/run-record.ts';
import { LOCAL_GGUF_ID } from '../../engines/engine-choice.ts';
import type { ModelEntry, ModelRegistry } from '../../engines/model-registry.ts';

/** 'replay' answers with a recorded run's outputs (no GPU, no server); its Python runs for real. */
export type EngineKind = 'webllm' | 'wllama' | 'openai' | 'replay';

export interface RunConfig {
  mode: AgentMode;
  engine: EngineKind;
  /** Registry id of the model: a WebLLM entry, or for 'wllama' a CPU (GGUF) entry. */
  model: string;
  /** OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  modelName: string;
  /** Never written to URLs. */
  apiKey: string;
  /** The recorded run the replay engine plays: a runs file or a bare RunRecord. */
  runUrl?: string;
  profile: string;
  samples: number;
  temperature: number;
  topP: number;
  maxSteps: number;
  maxTokens: number;
  pythonTimeoutS: number;
  /** Sampling seed sent with every request (WebLLM and servers that honour it); null = random. */
  seed: number | null;
}

export const LIMITS = {
  samples: [1, 16],
  temperature: [0, 2],
  topP: [0.05, 1],
  maxSteps: [1, 20],
  maxTokens: [64, 8192],
  pythonTimeoutS: [1, 300],
} as const satisfies Partial<Record<keyof RunConfig, readonly [number, number]>>;

type NumericKey = keyof typeof LIMITS;
const NUMERIC = Object.keys(LIMITS) as NumericKey[];
const INTEGER: ReadonlySet<NumericKey> = new Set(['samples', 'maxSteps', 'maxTokens']);

export function defaultConfig(registry: ModelRegistry): RunConfig {
  const first = registry.models[0];
  return {
    mode: 'agent',
    engine: 'webllm',
    model: first?.id ?? '',
    baseUrl: 'http://127.0.0.1:8000/v1',
    modelName: '',
    apiKey: '',
    profile: first?.promptProfile ?? 'fewshot',
    samples: first?.sampling.samples ?? 1,
    temperature: first?.sampling.temperature ?? 0.4,
    topP: first?.sampling.topP ?? 0.8,
    maxSteps: 5,
    maxTokens: first?.sampling.maxTokens ?? 1024,
    pythonTimeoutS: 20,
    seed: null,
  };
}

/** The largest seed every engine accepts (WebLLM and OpenAI-compatible servers: int32). */
export const MAX_SEED = 2 ** 31 - 1;

/** A seed from text (a form field, a URL): a whole number in range, or null for "random". */
export function parseSeed(text: string | null | undefined): number | null {
  if (text == null || text.trim() === '') return null;
  const v = Number(text);
  return Number.isInteger(v) && v >= 0 && v <= MAX_SEED ? v : null;
}

/** The profile and sampling a registry model comes with. */
export function withModelDefaults(
  c: RunConfig,
  m: Pick<ModelEntry, 'id' | 'promptProfile' | 'sampling'>,
): RunConfig {
  return {
    ...c,
    model: m.id,
    profile: m.promptProfile,
    samples: m.sampling.samples,
    temperature: m.sampling.temperature,
    topP: m.sampling.topP,
    maxTokens: m.sampling.maxTokens,
  };
}

export function clampNumber(key: NumericKey, v: number): number {
  const [lo, hi] = LIMITS[key];
  const x = Math.min(hi, Math.max(lo, v));
  return INTEGER.has(key) ? Math.round(x) : x;
}

/**
 * Reads a config from URL parameters over `base`. With a prefix (compare panes use `a.` and
 * `b.`), `a.model` wins over `model`, so shared settings need saying once.
 */
export function configFromParams(
  params: URLSearchParams,
  base: RunConfig,
  registry: ModelRegistry,
  prefix = '',
): RunConfig {
  const get = (k: string) => params.get(prefix + k) ?? (prefix ? params.get(k) : null);
  let c = { ...base };
  const model = get('model');
  const entry = model
    ? (registry.models.find((m) => m.id === model) ??
      registry.cpuModels.find((m) => m.id === model))
    : undefined;
  if (entry) c = withModelDefaults(c, entry);
  else if (model === LOCAL_GGUF_ID) c.model = model;
  const mode = get('mode');
  if (mode === 'agent' || mode === 'cot') c.mode = mode;
  const engine = get('engine');
  if (engine === 'webllm' || engine === 'wllama' || engine === 'openai' || engine === 'replay')
    c.engine = engine;
  for (const k of ['baseUrl', 'modelName', 'profile', 'runUrl'] as const) {
    const v = get(k);
    if (v) c[k] = v;
  }
  for (const k of NUMERIC) {
    const v = get(k);
    if (v !== null && v.trim() !== '' && Number.isFinite(Number(v)))
      c[k] = clampNumber(k, Number(v));
  }
  const seed = parseSeed(get('seed'));
  if (seed !== null) c.seed = seed;
  return c;
}

/** The URL form of a config: only what differs from `base`, and never the API key. */
export function configToParams(c: RunConfig, base: RunConfig, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  const keys = [
    'mode',
    'engine',
    'model',
    'baseUrl',
    'modelName',
    'runUrl',
    'profile',
    ...NUMERIC,
    'seed',
  ] as const;
  for (const k of keys) {
    if (c.engine !== 'webllm' && c.engine !== 'wllama' && k === 'model') continue;
    if (c.engine !== 'openai' && (k === 'baseUrl' || k === 'modelName')) continue;
    if (c.engine !== 'replay' && k === 'runUrl') continue;
    const v = c[k];
    if (v !== undefined && v !== null && v !== base[k]) out.push([prefix + k, String(v)]);
  }
  return out;
}

/** A short description of who answers, for pane titles and stats. */
export function engineLabel(c: RunConfig, registry: ModelRegistry): string {
  if (c.engine === 'openai') return `${c.modelName || '(model?)'} @ ${hostOf(c.baseUrl)}`;
  if (c.engine === 'replay') return `replay of ${c.runUrl?.split('/').pop() || '(run?)'}`;
  const all = [...registry.models, ...registry.cpuModels];
  return all.find((m) => m.id === c.model)?.label ?? c.model;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
