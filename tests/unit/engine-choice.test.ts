/** Engine selection: WebGPU present, absent, and the CPU engine asked for outright. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chooseBrowserEngine,
  cpuModelFor,
  LOCAL_GGUF_ID,
} from '../../src/engines/engine-choice.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));
const gpuOk = { status: 'ok' as const, message: 'WebGPU ready.' };
const noGpu = { status: 'no-api' as const, message: 'This browser has no WebGPU.' };
const webllm05 = 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';
const cpu05 = 'Qwen2.5-0.5B-Instruct-Q4_K_M-GGUF';

describe('chooseBrowserEngine', () => {
  it('keeps WebLLM when WebGPU is present', () => {
    expect(chooseBrowserEngine('webllm', webllm05, gpuOk, registry)).toEqual({
      engine: 'webllm',
      cpuModel: null,
      note: null,
    });
  });

  it('runs the same family on the CPU when WebGPU is absent, and says why', () => {
    const c = chooseBrowserEngine('webllm', webllm05, noGpu, registry);
    expect(c.engine).toBe('wllama');
    expect(c.cpuModel?.id).toBe(cpu05);
    expect(c.note).toContain('WebGPU is not available here');
    expect(c.note).toContain('This browser has no WebGPU.');
    const c3 = chooseBrowserEngine('webllm', 'Qwen2.5-3B-Instruct-q4f32_1-MLC', noGpu, registry);
    expect(c3.cpuModel?.paramsB).toBe(3);
  });

  it('leaves a model with no GGUF build to WebLLM, which explains what is missing', () => {
    const distilled = 'agent-distilled-Qwen2.5-1.5B-Instruct-q4f16_1-MLC';
    expect(chooseBrowserEngine('webllm', distilled, noGpu, registry).engine).toBe('webllm');
  });

  it('uses the CPU when asked, even with WebGPU present', () => {
    const forced = chooseBrowserEngine('wllama', webllm05, gpuOk, registry);
    expect(forced).toMatchObject({ engine: 'wllama', note: null });
    expect(forced.cpuModel?.id).toBe(cpu05);
    expect(chooseBrowserEngine('wllama', cpu05, gpuOk, registry).cpuModel?.id).toBe(cpu05);
    expect(chooseBrowserEngine('wllama', LOCAL_GGUF_ID, gpuOk, registry).cpuModel).toBeNull();
  });

  it('maps every base WebLLM model to a CPU build of its family', () => {
    for (const m of registry.models.filter((x) => x.kind === 'base')) {
      expect(cpuModelFor(registry, m.id)?.family).toBe(m.family);
    }
  });
});
