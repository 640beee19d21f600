/** The registry's CPU (GGUF) models: the shipped entries and the checks on hand-edited ones. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRegistry } from '../../src/engines/model-registry.ts';

const shipped = JSON.parse(readFileSync('models/registry.json', 'utf8')) as {
  version: 1;
  models: unknown[];
  cpuModels: Record<string, unknown>[];
};
const good = shipped.cpuModels[0] ?? {};

describe('CPU models in models/registry.json', () => {
  it('lists the official Qwen2.5 0.5B/1.5B/3B-Instruct GGUF builds as CPU models', () => {
    const { cpuModels } = validateRegistry(shipped);
    expect(cpuModels.map((m) => [m.paramsB, m.quantization, m.engine])).toEqual([
      [0.5, 'Q4_K_M', 'cpu'],
      [1.5, 'Q4_K_M', 'cpu'],
      [3, 'Q4_K_M', 'cpu'],
    ]);
    for (const m of cpuModels) {
      expect(m.url).toMatch(/^https:\/\/huggingface\.co\/Qwen\/Qwen2\.5-[\d.]+B-Instruct-GGUF\//);
      expect(m.sizeBytes).toBeGreaterThan(4e8);
      expect(m.license).not.toBe('');
    }
    // Qwen2.5-3B is not Apache-2.0, unlike 0.5B and 1.5B.
    expect(cpuModels[2]?.license).toMatch(/Qwen Research License/);
  });

  it('refuses a bad checksum, a non-GGUF address and a duplicate id, naming the entry', () => {
    const withCpu = (entry: Record<string, unknown>) =>
      validateRegistry({ ...shipped, cpuModels: [entry] });
    expect(() => withCpu({ ...good, sha256: 'abc' })).toThrow(
      /cpuModels\[0\]\.sha256 must be 64 lowercase hex digits, got "abc"/,
    );
    expect(() => withCpu({ ...good, url: 'https://example.org/model.bin' })).toThrow(
      /cpuModels\[0\]\.url must be the address of a \.gguf file/,
    );
    expect(() => withCpu({ ...good, engine: 'webgpu' })).toThrow(
      /cpuModels\[0\]\.engine must be "cpu", got "webgpu"/,
    );
    expect(() => validateRegistry({ ...shipped, cpuModels: [good, good] })).toThrow(
      /cpuModels\[1\]\.id ".+" is a duplicate id/,
    );
  });

  it('keeps registries without CPU models valid', () => {
    const { cpuModels, ...rest } = shipped;
    expect(cpuModels.length).toBe(3);
    expect(validateRegistry(rest).cpuModels).toEqual([]);
  });
});
