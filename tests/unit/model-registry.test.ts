import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import {
  smallerModels,
  toWebLLMRecord,
  validateRegistry,
  variantOf,
  type ModelEntry,
} from '../../src/engines/model-registry.ts';
import {
  checkWebGPU,
  fitModel,
  webgpuLabel,
  type AdapterLike,
} from '../../src/engines/webgpu-check.ts';

const raw: unknown = JSON.parse(readFileSync('models/registry.json', 'utf8'));
const registry = validateRegistry(raw);
const byId = (id: string): ModelEntry => {
  const m = registry.models.find((x) => x.id === id);
  if (!m) throw new Error(`no ${id}`);
  return m;
};

describe('models/registry.json', () => {
  it('holds the six prebuilt Qwen2.5 instruct models', () => {
    const ids = registry.models.filter((m) => m.source === 'prebuilt').map((m) => m.id);
    for (const size of ['0.5B', '1.5B', '3B'])
      for (const q of ['q4f16_1', 'q4f32_1'])
        expect(ids).toContain(`Qwen2.5-${size}-Instruct-${q}-MLC`);
  });

  it('matches web-llm 0.2.86 prebuilt records exactly (URLs, library, VRAM)', () => {
    for (const m of registry.models.filter((x) => x.source === 'prebuilt')) {
      const pre = prebuiltAppConfig.model_list.find((r) => r.model_id === m.id);
      expect(pre, m.id).toBeDefined();
      const rec = toWebLLMRecord(m, 'http://localhost');
      expect(rec.model).toBe(pre?.model);
      expect(rec.model_lib).toBe(pre?.model_lib);
      expect(rec.vram_required_MB).toBe(pre?.vram_required_MB);
      expect(rec.overrides.context_window_size).toBe(pre?.overrides?.context_window_size);
    }
  });

  it('gives base models the few-shot profile', () => {
    for (const m of registry.models.filter((x) => x.kind === 'base'))
      expect(m.promptProfile).toBe('fewshot');
  });
});

describe('validateRegistry', () => {
  const good = registry.models[0];
  const withModel = (patch: Record<string, unknown>) => ({
    version: 1,
    models: [{ ...good, ...patch }],
  });

  it('names the entry and field at fault', () => {
    expect(() => validateRegistry(withModel({ vramRequiredMB: 'big' }))).toThrow(
      /models\[0\]\.vramRequiredMB must be a number from 1 to 1000000, got "big"/,
    );
    expect(() => validateRegistry(withModel({ quantization: 'q8' }))).toThrow(/quantization/);
    expect(() => validateRegistry(withModel({ model: 'ftp://x' }))).toThrow(
      /models\[0\]\.model must be an absolute http\(s\) URL or a \/path, got "ftp:\/\/x"/,
    );
    expect(() => validateRegistry(withModel({ sampling: { temperature: 0.4 } }))).toThrow(/topP/);
    expect(() => validateRegistry({ version: 2, models: [] })).toThrow(/version/);
    expect(() => validateRegistry({ version: 1, models: [good, good] })).toThrow(
      /models\[1\]\.id ".+" is a duplicate id/,
    );
  });

  it('needs a base model for distilled entries and accepts local paths for local ones', () => {
    const distilled = {
      ...good,
      id: 'agent-distilled-Qwen2.5-0.5B-q4f16_1',
      kind: 'distilled',
      source: 'local',
      model: '/models/agent-distilled-Qwen2.5-0.5B-q4f16_1',
      promptProfile: 'distilled',
    };
    expect(() => validateRegistry({ version: 1, models: [good, distilled] })).toThrow(/baseModel/);
    const ok = validateRegistry({
      version: 1,
      models: [good, { ...distilled, baseModel: good?.id }],
    });
    const rec = toWebLLMRecord(ok.models[1] as ModelEntry, 'http://127.0.0.1:4173');
    expect(rec.model).toBe('http://127.0.0.1:4173/models/agent-distilled-Qwen2.5-0.5B-q4f16_1');
  });
});

describe('model choice helpers', () => {
  it('finds the q4f32 variant and smaller models', () => {
    const m = byId('Qwen2.5-3B-Instruct-q4f16_1-MLC');
    expect(variantOf(registry, m, 'q4f32_1')?.id).toBe('Qwen2.5-3B-Instruct-q4f32_1-MLC');
    expect(smallerModels(registry, m).map((x) => x.id)).toEqual([
      'Qwen2.5-1.5B-Instruct-q4f16_1-MLC',
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    ]);
  });
});

describe('WebGPU check', () => {
  const adapter = (f16: boolean, maxBuf = 2 ** 31, maxBind = 2 ** 30): AdapterLike => ({
    features: { has: (n: string) => f16 && n === 'shader-f16' },
    limits: { maxBufferSize: maxBuf, maxStorageBufferBindingSize: maxBind },
    info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true },
  });

  it('explains a browser without WebGPU or without an adapter', async () => {
    const none = await checkWebGPU({});
    expect(none.status).toBe('no-api');
    expect(none.message).toMatch(/no WebGPU/);
    const noAdapter = await checkWebGPU({ gpu: { requestAdapter: async () => null } });
    expect(noAdapter.status).toBe('no-adapter');
    expect(fitModel(noAdapter, registry, byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')).ok).toBe(false);
  });

  it('switches to q4f32 without shader-f16', async () => {
    const r = await checkWebGPU({ gpu: { requestAdapter: async () => adapter(false) } });
    expect(r.status).toBe('ok');
    expect(r.shaderF16).toBe(false);
    expect(r.software).toBe(true);
    expect(r.message).toMatch(/Only a software WebGPU adapter .*swiftshader.* runs on the CPU/);
    expect(r.message).not.toMatch(/WebGPU ready/);
    expect(webgpuLabel(r)).toBe('Software WebGPU (SwiftShader)');
    const fit = fitModel(r, registry, byId('Qwen2.5-1.5B-Instruct-q4f16_1-MLC'));
    expect(fit.ok).toBe(true);
    expect(fit.model?.id).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
    expect(fit.notes.join(' ')).toMatch(/lacks shader-f16/);
  });

  it('labels a real GPU ready and a software one as software, even when not flagged fallback', async () => {
    const gpu: AdapterLike = {
      ...adapter(true),
      info: { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false },
    };
    const real = await checkWebGPU({ gpu: { requestAdapter: async () => gpu } });
    expect(real.software).toBe(false);
    expect(webgpuLabel(real)).toBe('WebGPU ready');
    expect(real.message).toMatch(/^WebGPU ready on nvidia ampere/);
    const llvm: AdapterLike = {
      ...adapter(false),
      info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
    };
    const cpu = await checkWebGPU({ gpu: { requestAdapter: async () => llvm } });
    expect(cpu.software).toBe(true);
    expect(webgpuLabel(cpu)).toBe('Software WebGPU (CPU)');
    expect(webgpuLabel(await checkWebGPU({}))).toBe('WebGPU unavailable');
  });

  it('refuses adapters below web-llm minimum limits, and warns on small memory', async () => {
    const tiny = await checkWebGPU({
      gpu: { requestAdapter: async () => adapter(true, 2 ** 27, 2 ** 26) },
    });
    expect(tiny.status).toBe('limits');
    const small = await checkWebGPU({
      gpu: { requestAdapter: async () => adapter(true) },
      deviceMemory: 4,
    });
    const fit = fitModel(small, registry, byId('Qwen2.5-3B-Instruct-q4f16_1-MLC'));
    expect(fit.ok).toBe(true);
    expect(fit.notes.join(' ')).toMatch(/may run out/);
    expect(fit.smaller?.id).toBe('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
  });
});
