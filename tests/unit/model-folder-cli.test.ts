import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { buildEntry } from '../../src/cli/commands/models.ts';
import { estimateVramMB } from '../../src/engines/model-architecture.ts';

const ID = 'user-distilled-Qwen2.5-0.5B-Instruct-q4f16_1-MLC';
let root: string;
let folder: string;

/** Qwen2.5-0.5B's real shape, with the weights shrunk to two small shards. */
const chatConfig = {
  model_type: 'qwen2',
  quantization: 'q4f16_1',
  vocab_size: 151936,
  context_window_size: 4096,
  prefill_chunk_size: 1024,
  conv_template: { name: 'qwen2' },
  tokenizer_files: ['tokenizer.json'],
  model_config: {
    hidden_size: 896,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    head_dim: 64,
  },
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'models-cli-'));
  folder = join(root, ID, 'resolve', 'main');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'mlc-chat-config.json'), JSON.stringify(chatConfig));
  writeFileSync(join(folder, 'tokenizer.json'), '{}');
  writeFileSync(join(folder, 'params_shard_0.bin'), Buffer.alloc(100));
  writeFileSync(
    join(folder, 'tensor-cache.json'),
    JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin', nbytes: 100, records: [] }] }),
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('estimateVramMB', () => {
  it("lands within 5% of web-llm's figures for Qwen2.5 0.5B and 1.5B", () => {
    // Weight bytes of the real q4f16_1 conversions (~0.5625 bytes per parameter).
    const small = estimateVramMB(chatConfig, 0.494e9 * 0.5625);
    expect(Math.abs(small - 944.62) / 944.62).toBeLessThan(0.05);
    const mid = estimateVramMB(
      {
        ...chatConfig,
        model_config: {
          hidden_size: 1536,
          num_hidden_layers: 28,
          num_attention_heads: 12,
          num_key_value_heads: 2,
        },
      },
      1.544e9 * 0.5625,
    );
    expect(Math.abs(mid - 1629.75) / 1629.75).toBeLessThan(0.05);
    // f32 KV cache doubles that part.
    const f32 = estimateVramMB({ ...chatConfig, quantization: 'q4f32_1' }, 0);
    expect(f32 - estimateVramMB(chatConfig, 0)).toBeCloseTo((2 * 24 * 2 * 64 * 4096 * 2) / 1e6, 1);
  });
});

describe('playground models entry', () => {
  it('builds a valid distilled entry that reuses the base library and VRAM', async () => {
    const { entry, estimateMB, replaces } = await buildEntry(join(root, ID), {
      base: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      kind: 'distilled',
      registry: 'models/registry.json',
    });
    expect(replaces).toBe(true);
    expect(estimateMB).toBeGreaterThan(600);
    expect(entry).toMatchObject({
      id: ID,
      kind: 'distilled',
      source: 'local',
      model: `/models/${ID}`,
      quantization: 'q4f16_1',
      paramsB: 0.5,
      vramRequiredMB: 944.62,
      contextWindowSize: 4096,
      promptProfile: 'distilled',
      baseModel: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      sampling: { temperature: 0.4, topP: 0.8, samples: 1, maxTokens: 1024 },
    });
    expect(entry.modelLib).toMatch(/Qwen2-0\.5B-Instruct-q4f16_1_cs1k-webgpu\.wasm$/);
  });

  it('refuses a base of another quantization, and an invalid folder', async () => {
    await expect(
      buildEntry(folder, {
        base: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
        kind: 'distilled',
        registry: 'models/registry.json',
      }),
    ).rejects.toThrow(/is q4f16_1 but --base .* is q4f32_1/);
    unlinkSync(join(folder, 'params_shard_0.bin'));
    await expect(
      buildEntry(folder, { base: 'x', kind: 'distilled', registry: 'models/registry.json' }),
    ).rejects.toThrow(/params_shard_0\.bin is missing/);
  });

  it('prints JSON on stdout and exits 0; a broken folder exits 1 naming the file', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await main([
        'models',
        'entry',
        join(root, ID),
        '--id',
        'my-student-q4f16_1-MLC',
        '--base',
        'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      ]);
      expect(code).toBe(0);
      const printed = JSON.parse(out.mock.calls.map((c) => String(c[0])).join('')) as {
        id: string;
        family: string;
      };
      expect(printed.id).toBe('my-student-q4f16_1-MLC');
      expect(printed.family).toBe('my-student');
      out.mockClear();
      expect(await main(['models', 'check', folder])).toBe(0);
      expect(String(out.mock.calls[0]?.[0])).toMatch(/ok, 1 shards/);
      writeFileSync(join(folder, 'tensor-cache.json'), '{');
      expect(await main(['models', 'check', folder])).toBe(1);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /tensor-cache\.json is not valid JSON/,
      );
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
