/**
 * Which prebuilt WebLLM model library can run an MLC model, read from its mlc-chat-config.json.
 * A library is compiled for one architecture (layer count, widths, vocabulary) and quantization;
 * a fine-tune keeps its base's architecture, so it runs on the base's library. The table lists
 * libraries of web-llm 0.2.86's prebuiltAppConfig with the dimensions of the models they were
 * built for; tests/unit/model-architecture.test.ts checks every name and figure against it.
 */
import type { Quantization } from './model-registry.ts';
import { isPlainObject } from '../json.ts';

/** web-llm 0.2.86's library folder (its `modelVersion`). */
export const MODEL_LIB_BASE =
  'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/';

/** The quantizations the app offers (q4f32_1 for GPUs without shader-f16). */
export const SUPPORTED_QUANTS: readonly Quantization[] = ['q4f16_1', 'q4f32_1'];

/** The context window the prebuilt records load with; their VRAM figures assume it. */
export const PREBUILT_CONTEXT = 4096;

export interface Architecture {
  modelType: string;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediateSize: number;
  vocabSize: number;
  /** Only where it differs from hiddenSize / heads (Qwen3). */
  headDim?: number;
}

export interface PrebuiltLibrary {
  /** The library's file name without "-<quant>_cs1k-webgpu.wasm", e.g. "Qwen2-1.5B-Instruct". */
  name: string;
  /** Parameters in billions. */
  paramsB: number;
  arch: Architecture;
  /** web-llm's vram_required_MB for each quantization, at PREBUILT_CONTEXT. */
  vramMB: Record<Quantization, number>;
}

const qwen2 = (hidden: number, layers: number, heads: number, kv: number, inter: number) => ({
  modelType: 'qwen2',
  hiddenSize: hidden,
  layers,
  heads,
  kvHeads: kv,
  intermediateSize: inter,
  vocabSize: 151936,
});
const qwen3 = (hidden: number, layers: number, heads: number, inter: number) => ({
  modelType: 'qwen3',
  hiddenSize: hidden,
  layers,
  heads,
  kvHeads: 8,
  intermediateSize: inter,
  vocabSize: 151936,
  headDim: 128,
});
const llama = (
  hidden: number,
  layers: number,
  heads: number,
  kv: number,
  inter: number,
  vocab: number,
) => ({
  modelType: 'llama',
  hiddenSize: hidden,
  layers,
  heads,
  kvHeads: kv,
  intermediateSize: inter,
  vocabSize: vocab,
});

export const PREBUILT_LIBRARIES: readonly PrebuiltLibrary[] = [
  // Qwen2 and Qwen2.5 share these shapes; web-llm runs Qwen2.5 0.5B/1.5B on the Qwen2 libraries.
  {
    name: 'Qwen2-0.5B-Instruct',
    paramsB: 0.5,
    arch: qwen2(896, 24, 14, 2, 4864),
    vramMB: { q4f16_1: 944.62, q4f32_1: 1060.2 },
  },
  {
    name: 'Qwen2-1.5B-Instruct',
    paramsB: 1.5,
    arch: qwen2(1536, 28, 12, 2, 8960),
    vramMB: { q4f16_1: 1629.75, q4f32_1: 1888.97 },
  },
  {
    name: 'Qwen2.5-3B-Instruct',
    paramsB: 3,
    arch: qwen2(2048, 36, 16, 2, 11008),
    vramMB: { q4f16_1: 2504.76, q4f32_1: 2893.64 },
  },
  {
    name: 'Qwen2-7B-Instruct',
    paramsB: 7,
    arch: { ...qwen2(3584, 28, 28, 4, 18944), vocabSize: 152064 },
    vramMB: { q4f16_1: 5106.67, q4f32_1: 5900.09 },
  },
  {
    name: 'Qwen3-0.6B',
    paramsB: 0.6,
    arch: qwen3(1024, 28, 16, 3072),
    vramMB: { q4f16_1: 1403.34, q4f32_1: 1924.98 },
  },
  {
    name: 'Qwen3-1.7B',
    paramsB: 1.7,
    arch: qwen3(2048, 28, 16, 6144),
    vramMB: { q4f16_1: 2036.66, q4f32_1: 2635.44 },
  },
  {
    name: 'Qwen3-4B',
    paramsB: 4,
    arch: qwen3(2560, 36, 32, 9728),
    vramMB: { q4f16_1: 3431.59, q4f32_1: 4327.71 },
  },
  {
    name: 'Qwen3-8B',
    paramsB: 8,
    arch: qwen3(4096, 36, 32, 12288),
    vramMB: { q4f16_1: 5695.78, q4f32_1: 6852.55 },
  },
  {
    name: 'Llama-3.2-1B-Instruct',
    paramsB: 1.2,
    arch: llama(2048, 16, 32, 8, 8192, 128256),
    vramMB: { q4f16_1: 879.04, q4f32_1: 1128.82 },
  },
  {
    name: 'Llama-3.2-3B-Instruct',
    paramsB: 3.2,
    arch: llama(3072, 28, 24, 8, 8192, 128256),
    vramMB: { q4f16_1: 2263.69, q4f32_1: 2951.51 },
  },
  {
    name: 'SmolLM2-360M-Instruct',
    paramsB: 0.36,
    arch: llama(960, 32, 15, 5, 2560, 49152),
    vramMB: { q4f16_1: 376.06, q4f32_1: 579.61 },
  },
  {
    name: 'SmolLM2-1.7B-Instruct',
    paramsB: 1.7,
    arch: llama(2048, 24, 32, 32, 8192, 49152),
    vramMB: { q4f16_1: 1774.19, q4f32_1: 2692.38 },
  },
];

/** The library file for a quantization, e.g. ".../Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm". */
export function libraryUrl(lib: PrebuiltLibrary, quant: Quantization): string {
  return `${MODEL_LIB_BASE}${lib.name}-${quant}_cs1k-webgpu.wasm`;
}

export type LibraryMatch =
  | {
      ok: true;
      library: PrebuiltLibrary;
      quantization: Quantization;
      modelLib: string;
      /** The prebuilt figure: same library, same memory plan. */
      vramRequiredMB: number;
      /** What the model is loaded with: its own window, capped at PREBUILT_CONTEXT. */
      contextWindowSize: number;
    }
  | { ok: false; reason: string };

type Obj = Record<string, unknown>;
const pos = (o: Obj, k: string): number | undefined => {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
};

/** The architecture an mlc-chat-config.json describes, or what it lacks. */
export function readArchitecture(config: Obj): Architecture | string {
  const mc = isPlainObject(config.model_config) ? config.model_config : null;
  const modelType = typeof config.model_type === 'string' ? config.model_type : null;
  if (!modelType) return 'mlc-chat-config.json names no "model_type"';
  if (!mc) return 'mlc-chat-config.json has no "model_config"';
  const need = {
    hidden_size: pos(mc, 'hidden_size'),
    num_hidden_layers: pos(mc, 'num_hidden_layers'),
    num_attention_heads: pos(mc, 'num_attention_heads'),
    intermediate_size: pos(mc, 'intermediate_size'),
    vocab_size: pos(mc, 'vocab_size') ?? pos(config, 'vocab_size'),
  };
  const missing = Object.entries(need)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length) return `its "model_config" lacks ${missing.join(', ')}`;
  const heads = need.num_attention_heads as number;
  const headDim = pos(mc, 'head_dim');
  return {
    modelType,
    hiddenSize: need.hidden_size as number,
    layers: need.num_hidden_layers as number,
    heads,
    kvHeads: pos(mc, 'num_key_value_heads') ?? heads,
    intermediateSize: need.intermediate_size as number,
    vocabSize: need.vocab_size as number,
    ...(headDim !== undefined && { headDim }),
  };
}

function sameArchitecture(a: Architecture, lib: Architecture): boolean {
  const headDim = (x: Architecture) => x.headDim ?? x.hiddenSize / x.heads;
  return (
    a.modelType === lib.modelType &&
    a.hiddenSize === lib.hiddenSize &&
    a.layers === lib.layers &&
    a.heads === lib.heads &&
    a.kvHeads === lib.kvHeads &&
    a.intermediateSize === lib.intermediateSize &&
    a.vocabSize === lib.vocabSize &&
    headDim(a) === headDim(lib)
  );
}

function describe(a: Architecture): string {
  return `hidden size ${a.hiddenSize}, ${a.layers} layers, ${a.heads} heads (${a.kvHeads} KV), vocabulary ${a.vocabSize}`;
}

/** Maps a parsed mlc-chat-config.json to a prebuilt library, or says why none fits. */
export function matchLibrary(config: Obj): LibraryMatch {
  const quant = typeof config.quantization === 'string' ? config.quantization : '';
  if (!(SUPPORTED_QUANTS as readonly string[]).includes(quant)) {
    return {
      ok: false,
      reason: `It is quantized as ${quant ? `"${quant}"` : 'nothing named'}; the app loads ${SUPPORTED_QUANTS.join(' and ')} builds only (convert it with models/recipes/convert_mlc.sh).`,
    };
  }
  const quantization = quant as Quantization;
  const arch = readArchitecture(config);
  if (typeof arch === 'string')
    return { ok: false, reason: `Its architecture cannot be read: ${arch}.` };
  const sameType = PREBUILT_LIBRARIES.filter((l) => l.arch.modelType === arch.modelType);
  if (sameType.length === 0) {
    const known = [...new Set(PREBUILT_LIBRARIES.map((l) => l.arch.modelType))].join(', ');
    return {
      ok: false,
      reason: `Its architecture "${arch.modelType}" has no prebuilt WebLLM library here (known: ${known}); it would need a model library compiled with mlc_llm compile.`,
    };
  }
  const library = sameType.find((l) => sameArchitecture(arch, l.arch));
  if (!library) {
    return {
      ok: false,
      reason:
        `No prebuilt WebLLM library fits a ${arch.modelType} model with ${describe(arch)}. ` +
        `Prebuilt ${arch.modelType} libraries: ${sameType.map((l) => `${l.name} (${describe(l.arch)})`).join('; ')}.`,
    };
  }
  const window = pos(config, 'context_window_size') ?? PREBUILT_CONTEXT;
  return {
    ok: true,
    library,
    quantization,
    modelLib: libraryUrl(library, quantization),
    vramRequiredMB: library.vramMB[quantization],
    contextWindowSize: Math.min(window, PREBUILT_CONTEXT),
  };
}

/**
 * GPU memory WebLLM needs, in MB: the weights, the KV cache for the whole context window, and the
 * logits of one prefill chunk (MLC allocates them up front). It lands within a few percent of
 * web-llm's own figures for the Qwen2.5 models.
 */
export function estimateVramMB(chatConfig: Obj, weightBytes: number): number {
  const mc = isPlainObject(chatConfig.model_config) ? chatConfig.model_config : {};
  const layers = pos(mc, 'num_hidden_layers') ?? 0;
  const heads = pos(mc, 'num_attention_heads') ?? 1;
  const kvHeads = pos(mc, 'num_key_value_heads') ?? heads;
  const headDim = pos(mc, 'head_dim') ?? (pos(mc, 'hidden_size') ?? 0) / heads;
  const context = pos(chatConfig, 'context_window_size') ?? pos(mc, 'context_window_size') ?? 0;
  const chunk = pos(chatConfig, 'prefill_chunk_size') ?? pos(mc, 'prefill_chunk_size') ?? 0;
  const vocab = pos(chatConfig, 'vocab_size') ?? 0;
  const quant = String(chatConfig.quantization ?? '');
  const kvBytesPerValue = quant.includes('f32') ? 4 : 2;
  const kv = 2 * layers * kvHeads * headDim * context * kvBytesPerValue;
  const logits = chunk * vocab * 4;
  return Math.round((weightBytes + kv + logits) / 1e4) / 100;
}
