/**
 * The architecture -> prebuilt library table against web-llm 0.2.86's own prebuiltAppConfig,
 * and the reasons a model is refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import {
  PREBUILT_LIBRARIES,
  SUPPORTED_QUANTS,
  libraryUrl,
  matchLibrary,
} from '../../src/engines/model-architecture.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import { QWEN_05B_CONFIG } from '../helpers/model-hub.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));

describe('prebuilt library table', () => {
  it("names only libraries in web-llm's prebuiltAppConfig, with its VRAM figures", () => {
    for (const lib of PREBUILT_LIBRARIES) {
      for (const q of SUPPORTED_QUANTS) {
        const url = libraryUrl(lib, q);
        const records = prebuiltAppConfig.model_list.filter(
          (r) =>
            r.model_lib === url &&
            (r.overrides?.context_window_size ?? 4096) === 4096 &&
            !r.model_id.endsWith('-1k'),
        );
        expect(records.length, `${url} is not a prebuilt library`).toBeGreaterThan(0);
        expect(
          records.map((r) => r.vram_required_MB),
          `${lib.name} ${q}`,
        ).toContain(lib.vramMB[q]);
      }
    }
  });

  it("maps the registry's Qwen2.5 shapes to the library the registry already uses", () => {
    const shapes = {
      'Qwen2.5-0.5B-Instruct': [896, 24, 14, 2, 4864],
      'Qwen2.5-1.5B-Instruct': [1536, 28, 12, 2, 8960],
      'Qwen2.5-3B-Instruct': [2048, 36, 16, 2, 11008],
    };
    for (const [family, [hidden, layers, heads, kv, inter]] of Object.entries(shapes)) {
      for (const q of SUPPORTED_QUANTS) {
        const entry = registry.models.find(
          (m) => m.family === family && m.quantization === q && m.kind === 'base',
        );
        const match = matchLibrary({
          ...QWEN_05B_CONFIG,
          quantization: q,
          model_config: {
            hidden_size: hidden,
            num_hidden_layers: layers,
            num_attention_heads: heads,
            num_key_value_heads: kv,
            intermediate_size: inter,
            vocab_size: 151936,
          },
        });
        expect(match.ok, family).toBe(true);
        if (!match.ok || !entry) throw new Error(family);
        expect(match.modelLib).toBe(entry.modelLib);
        expect(match.vramRequiredMB).toBe(entry.vramRequiredMB);
        expect(match.contextWindowSize).toBe(4096);
      }
    }
  });

  it('tells Qwen3 from Qwen2 by head_dim and type', () => {
    const qwen3 = matchLibrary({
      model_type: 'qwen3',
      quantization: 'q4f16_1',
      context_window_size: 2048,
      model_config: {
        hidden_size: 1024,
        num_hidden_layers: 28,
        num_attention_heads: 16,
        num_key_value_heads: 8,
        intermediate_size: 3072,
        vocab_size: 151936,
        head_dim: 128,
      },
    });
    expect(qwen3.ok && qwen3.library.name).toBe('Qwen3-0.6B');
    expect(qwen3.ok && qwen3.contextWindowSize).toBe(2048);
    const wrongHead = matchLibrary({
      model_type: 'qwen3',
      quantization: 'q4f16_1',
      model_config: {
        hidden_size: 1024,
        num_hidden_layers: 28,
        num_attention_heads: 16,
        num_key_value_heads: 8,
        intermediate_size: 3072,
        vocab_size: 151936,
        head_dim: 64,
      },
    });
    expect(wrongHead.ok).toBe(false);
  });
});

describe('refusals say why', () => {
  const refuse = (config: Record<string, unknown>): string => {
    const m = matchLibrary(config);
    if (m.ok) throw new Error('expected a refusal');
    return m.reason;
  };

  it('an architecture with no prebuilt library', () => {
    const reason = refuse({ ...QWEN_05B_CONFIG, model_type: 'mistral' });
    expect(reason).toContain('"mistral" has no prebuilt WebLLM library');
    expect(reason).toContain('known: qwen2, qwen3, llama');
    expect(reason).toContain('mlc_llm compile');
  });

  it('a known architecture in a size no library was built for', () => {
    const reason = refuse({
      ...QWEN_05B_CONFIG,
      model_config: { ...QWEN_05B_CONFIG.model_config, num_hidden_layers: 12 },
    });
    expect(reason).toContain('No prebuilt WebLLM library fits a qwen2 model with');
    expect(reason).toContain('12 layers');
    expect(reason).toContain('Qwen2-0.5B-Instruct (hidden size 896, 24 layers');
  });

  it('a quantization the app does not offer, and a config without its shape', () => {
    expect(refuse({ ...QWEN_05B_CONFIG, quantization: 'q0f16' })).toContain(
      'quantized as "q0f16"; the app loads q4f16_1 and q4f32_1 builds only',
    );
    expect(refuse({ ...QWEN_05B_CONFIG, model_config: undefined })).toContain(
      'has no "model_config"',
    );
    expect(
      refuse({ ...QWEN_05B_CONFIG, model_config: { hidden_size: 896, num_hidden_layers: 24 } }),
    ).toContain('lacks num_attention_heads, intermediate_size');
  });
});
