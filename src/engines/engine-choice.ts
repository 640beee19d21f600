/**
 * Which in-browser engine runs a model: WebLLM on the GPU, or wllama on the CPU. The app picks
 * the CPU when WebGPU is missing (Firefox and Safari on many systems, Linux Chrome without flags,
 * locked-down machines), running the GGUF build of the same model family; the user may also ask
 * for the CPU outright.
 */
import type { CpuModelEntry, ModelRegistry } from './model-registry.ts';
import type { WebGPUReport } from './webgpu-check.ts';

/** The model id that stands for a GGUF file the user picked from their own disk. */
export const LOCAL_GGUF_ID = 'local-gguf-file';

export type BrowserEngine = 'webllm' | 'wllama';

export interface EngineChoice {
  engine: BrowserEngine;
  /** For 'wllama': the registry's GGUF model, or null for the user's own file. */
  cpuModel: CpuModelEntry | null;
  /** Said to the user when the app chose for them. */
  note: string | null;
}

/** The CPU model for a registry id: a CPU entry itself, or the GGUF build of a WebLLM entry's family. */
export function cpuModelFor(registry: ModelRegistry, id: string): CpuModelEntry | null {
  const direct = registry.cpuModels.find((m) => m.id === id);
  if (direct) return direct;
  const family = registry.models.find((m) => m.id === id)?.family;
  return registry.cpuModels.find((m) => m.family === family) ?? null;
}

export function chooseBrowserEngine(
  requested: BrowserEngine,
  modelId: string,
  gpu: Pick<WebGPUReport, 'status' | 'message'>,
  registry: ModelRegistry,
): EngineChoice {
  if (requested === 'wllama') {
    return { engine: 'wllama', cpuModel: cpuModelFor(registry, modelId), note: null };
  }
  if (gpu.status === 'ok') return { engine: 'webllm', cpuModel: null, note: null };
  const cpu = cpuModelFor(registry, modelId);
  // No GGUF build of this model (e.g. a local distilled checkpoint): WebLLM says what is missing.
  if (!cpu) return { engine: 'webllm', cpuModel: null, note: null };
  return {
    engine: 'wllama',
    cpuModel: cpu,
    note: `WebGPU is not available here, so ${cpu.label} runs on the CPU instead (slower, no GPU needed). ${gpu.message}`,
  };
}
