/**
 * Everything that decides how a run is made, and its URL form for deep links
 * (`#/chat?q=...&mode=agent&model=...&engine=openai&baseUrl=...&modelName=...&seed=7&run=1`).
 */
import type { AgentMode } from '../../agent/run-record.ts';
import { SETTINGS, clampSetting, inSettingRange, type SettingKey } from '../../agent/settings.ts';
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

/** The numeric settings the panel and deep links offer, with their ranges from the one table. */
const NUMERIC = [
  'samples',
  'temperature',
  'topP',
  'maxSteps',
  'maxTokens',
  'pythonTimeoutS',
] as const satisfies readonly (keyof RunConfig & SettingKey)[];
type NumericKey = (typeof NUMERIC)[number];

export const LIMITS: Pick<typeof SETTINGS, NumericKey> = SETTINGS;

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
    samples: first?.sampling.samples ?? SETTINGS.samples.default,
    temperature: first?.sampling.temperature ?? SETTINGS.temperature.default,
    topP: first?.sampling.topP ?? SETTINGS.topP.default,
    maxSteps: SETTINGS.maxSteps.default,
    maxTokens: first?.sampling.maxTokens ?? SETTINGS.maxTokens.default,
    pythonTimeoutS: SETTINGS.pythonTimeoutS.default,
    seed: null,
  };
}

export const MAX_SEED = SETTINGS.seed.max;

/** A seed from text (a form field, a URL): a whole number in range, or null for "random". */
export function parseSeed(text: string | null | undefined): number | null {
  if (text == null || text.trim() === '') return null;
  const v = Number(text);
  return inSettingRange('seed', v) ? v : null;
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

/** What the panel and links do with a value out of range: take the nearest valid one. */
export function clampNumber(key: NumericKey, v: number): number {
  return clampSetting(key, v);
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
