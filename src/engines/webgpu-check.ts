/**
 * What the browser's WebGPU can do, checked before a model download starts, so a user never
 * waits for gigabytes that cannot run. Limits mirror what web-llm 0.2.86 requests at load time.
 */
import type { ModelEntry, ModelRegistry, Quantization } from './model-registry.ts';
import { smallerModels, variantOf } from './model-registry.ts';

const MiB = 1024 * 1024;
/** web-llm falls back to these when the adapter cannot give 1 GiB; below them it throws. */
export const MIN_MAX_BUFFER_SIZE = 256 * MiB;
export const MIN_STORAGE_BINDING_SIZE = 128 * MiB;

export interface WebGPUReport {
  status: 'ok' | 'no-api' | 'no-adapter' | 'limits' | 'error';
  adapterName: string | null;
  isFallbackAdapter: boolean;
  /** A CPU rasteriser (SwiftShader, llvmpipe, WARP) standing in for a GPU: it works, but crawls. */
  software: boolean;
  shaderF16: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** navigator.deviceMemory in GiB when the browser tells (rounded, capped at 8 by Chrome). */
  deviceMemoryGB: number | null;
  /** Plain words: what was found and, on failure, what to do. */
  message: string;
}

/** The slice of `navigator` the check reads; a stand-in in tests. */
export interface NavigatorLike {
  gpu?: { requestAdapter(): Promise<AdapterLike | null> };
  deviceMemory?: number;
}

export interface AdapterLike {
  features: { has(name: string): boolean };
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
}

const ENABLE_HINT =
  'Use a recent Chrome or Edge (version 113 or later) on a machine with a GPU; on Linux enable ' +
  'chrome://flags/#enable-unsafe-webgpu and Vulkan. Or use a local OpenAI-compatible server ' +
  '(Settings → Engine → OpenAI-compatible).';

/** Adapter names of CPU rasterisers; Chrome does not always flag them as fallback adapters. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

/** The badge for a report: what the user sees first. */
export function webgpuLabel(report: WebGPUReport): string {
  if (report.status !== 'ok') return 'WebGPU unavailable';
  if (!report.software) return 'WebGPU ready';
  return /swiftshader/i.test(report.adapterName ?? '')
    ? 'Software WebGPU (SwiftShader)'
    : 'Software WebGPU (CPU)';
}

export async function checkWebGPU(nav: NavigatorLike): Promise<WebGPUReport> {
  const base: WebGPUReport = {
    status: 'no-api',
    adapterName: null,
    isFallbackAdapter: false,
    software: false,
    shaderF16: false,
    maxBufferSize: 0,
    maxStorageBufferBindingSize: 0,
    deviceMemoryGB: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null,
    message: '',
  };
  if (!nav.gpu) {
    return {
      ...base,
      message: `This browser has no WebGPU, which in-browser models need. ${ENABLE_HINT}`,
    };
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      ...base,
      status: 'error',
      message: `Asking for a GPU failed (${why}). ${ENABLE_HINT}`,
    };
  }
  if (!adapter) {
    return {
      ...base,
      status: 'no-adapter',
      message: `WebGPU is present but no GPU adapter was offered (blocklisted driver or GPU disabled). ${ENABLE_HINT}`,
    };
  }
  const info = adapter.info ?? {};
  const name =
    [info.vendor, info.architecture, info.description].filter((s) => s && s.length).join(' ') ||
    'unnamed adapter';
  const report: WebGPUReport = {
    ...base,
    status: 'ok',
    adapterName: name,
    isFallbackAdapter: info.isFallbackAdapter === true,
    software: info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(name),
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
  if (
    report.maxBufferSize < MIN_MAX_BUFFER_SIZE ||
    report.maxStorageBufferBindingSize < MIN_STORAGE_BINDING_SIZE
  ) {
    return {
      ...report,
      status: 'limits',
      message:
        `The GPU (${name}) allows buffers of only ${mb(report.maxBufferSize)} ` +
        `(storage bindings ${mb(report.maxStorageBufferBindingSize)}); models need at least ` +
        `${mb(MIN_MAX_BUFFER_SIZE)} and ${mb(MIN_STORAGE_BINDING_SIZE)}. Try another browser or ` +
        `GPU, or a local OpenAI-compatible server.`,
    };
  }
  const f16 = report.shaderF16
    ? 'supports 16-bit shaders (q4f16 models)'
    : 'has no 16-bit shaders (shader-f16), so q4f32 models are used';
  if (report.software) {
    return {
      ...report,
      message:
        `Only a software WebGPU adapter (${name}) is available: it runs on the CPU, so a model ` +
        `would load and answer very slowly. It ${f16}. ${ENABLE_HINT}`,
    };
  }
  return { ...report, message: `WebGPU ready on ${name}; it ${f16}.` };
}

export interface ModelFit {
  /** The model to load: the asked one, or its q4f32 variant when shader-f16 is missing. */
  model: ModelEntry | null;
  ok: boolean;
  /** Plain words; empty when nothing needs saying. */
  notes: string[];
  /** A smaller model to offer when this one cannot or may not run. */
  smaller: ModelEntry | null;
}

/** Whether `wanted` can run on the checked adapter, switching quantization when it must. */
export function fitModel(
  report: WebGPUReport,
  registry: ModelRegistry,
  wanted: ModelEntry,
): ModelFit {
  const notes: string[] = [];
  if (report.status !== 'ok')
    return { model: null, ok: false, notes: [report.message], smaller: null };
  let model: ModelEntry | undefined = wanted;
  if (!report.shaderF16 && wanted.quantization === 'q4f16_1') {
    const q: Quantization = 'q4f32_1';
    model = variantOf(registry, wanted, q);
    if (!model) {
      return {
        model: null,
        ok: false,
        notes: [
          `${wanted.label} needs shader-f16, which this GPU lacks, and has no q4f32 variant.`,
        ],
        smaller: null,
      };
    }
    notes.push(`This GPU lacks shader-f16, so ${model.label} is used instead of ${wanted.label}.`);
  }
  const smaller = smallerModels(registry, model)[0] ?? null;
  if (report.deviceMemoryGB !== null && model.vramRequiredMB > (report.deviceMemoryGB * 1024) / 2) {
    notes.push(
      `${model.label} needs about ${(model.vramRequiredMB / 1024).toFixed(1)} GB of GPU memory and ` +
        `this device reports ${report.deviceMemoryGB} GB of memory in all; it may run out.` +
        (smaller ? ` ${smaller.label} needs less.` : ''),
    );
  }
  return { model, ok: true, notes, smaller };
}

function mb(bytes: number): string {
  return `${Math.round(bytes / MiB)} MB`;
}
