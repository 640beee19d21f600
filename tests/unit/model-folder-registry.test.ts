import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { chooseModelSource, localModelPath } from '../../src/engines/model-folder.ts';
import {
  smallerModels,
  toWebLLMRecord,
  validateRegistry,
  variantOf,
  type ModelEntry,
} from '../../src/engines/model-registry.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));
const distilled = registry.models.filter((m) => m.kind === 'distilled');
const byId = (id: string): ModelEntry => {
  const m = registry.models.find((x) => x.id === id);
  if (!m) throw new Error(`no ${id}`);
  return m;
};

describe('distilled entries in models/registry.json', () => {
  it('hold the released 1.5B and the 0.5B/3B slots in both quantizations', () => {
    const ids = distilled.map((m) => m.id).sort();
    expect(ids).toEqual(
      [
        'agent-distilled-Qwen2.5-1.5B-Instruct-q4f16_1-MLC',
        'agent-distilled-Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
        'user-distilled-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
        'user-distilled-Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
        'user-distilled-Qwen2.5-3B-Instruct-q4f16_1-MLC',
        'user-distilled-Qwen2.5-3B-Instruct-q4f32_1-MLC',
      ].sort(),
    );
  });

  it('use the distilled prompt profile and its sampling defaults', () => {
    const profile = getPromptProfile('distilled');
    for (const m of distilled) {
      expect(m.promptProfile, m.id).toBe('distilled');
      expect(m.sampling.temperature, m.id).toBe(profile.sampling.temperature);
      expect(m.sampling.topP, m.id).toBe(profile.sampling.topP);
      expect(m.sampling).toMatchObject({ temperature: 0.4, topP: 0.8, maxTokens: 1024 });
    }
  });

  it('load from models/<id>/resolve/main/ with the base model library, VRAM and quantization', () => {
    for (const m of distilled) {
      expect(m.source, m.id).toBe('local');
      expect(m.model, m.id).toBe(localModelPath(m.id));
      const base = byId(m.baseModel ?? '');
      expect(base.kind).toBe('base');
      expect(m.quantization).toBe(base.quantization);
      expect(m.paramsB).toBe(base.paramsB);
      expect(m.modelLib, m.id).toBe(base.modelLib);
      expect(m.vramRequiredMB).toBe(base.vramRequiredMB);
      expect(m.contextWindowSize).toBe(base.contextWindowSize);
      const rec = toWebLLMRecord(m, 'http://127.0.0.1:5173');
      expect(rec.model).toBe(`http://127.0.0.1:5173/models/${m.id}`);
      expect(rec.model_lib).toMatch(/^https:\/\/.*-webgpu\.wasm$/);
    }
  });

  it('pair up across quantizations and never stand in for base models', () => {
    const d16 = byId('agent-distilled-Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
    expect(variantOf(registry, d16, 'q4f32_1')?.id).toBe(
      'agent-distilled-Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
    );
    const base3b = byId('Qwen2.5-3B-Instruct-q4f16_1-MLC');
    expect(smallerModels(registry, base3b).every((m) => m.kind === 'base')).toBe(true);
    expect(smallerModels(registry, d16).map((m) => m.id)).toEqual([
      'user-distilled-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    ]);
  });

  it('are unavailable until their folder is present and valid', () => {
    const m = byId('agent-distilled-Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
    expect(chooseModelSource(m, []).available).toBe(false);
    const there = chooseModelSource(m, [{ id: m.id, ok: true, problems: [], libs: [] }]);
    expect(there).toMatchObject({ available: true, local: true });
    expect(there.entry.model).toBe(m.model);
  });
});
