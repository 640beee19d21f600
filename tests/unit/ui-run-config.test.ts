import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import {
  clampNumber,
  configFromParams,
  configToParams,
  defaultConfig,
  engineLabel,
  parseSeed,
} from '../../src/ui/lib/run-config.ts';
import { golds, grade, guessKind } from '../../src/ui/lib/grade.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));
const base = defaultConfig(registry);

describe('deep links', () => {
  it('reads a chat link for a local server', () => {
    const p = new URLSearchParams(
      'q=What%20is%202%2B2%3F&mode=cot&engine=openai&baseUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fv1&modelName=qwen&samples=8&temperature=0.7&run=1',
    );
    const c = configFromParams(p, base, registry);
    expect(c).toMatchObject({
      mode: 'cot',
      engine: 'openai',
      baseUrl: 'http://127.0.0.1:8000/v1',
      modelName: 'qwen',
      samples: 8,
      temperature: 0.7,
    });
    expect(engineLabel(c, registry)).toBe('qwen @ 127.0.0.1:8000');
  });

  it('takes a registry model with its profile and sampling, and ignores junk', () => {
    const p = new URLSearchParams(
      'model=Qwen2.5-3B-Instruct-q4f32_1-MLC&mode=bogus&engine=x&samples=999&topP=abc',
    );
    const c = configFromParams(p, base, registry);
    expect(c.model).toBe('Qwen2.5-3B-Instruct-q4f32_1-MLC');
    expect(c.profile).toBe('fewshot');
    expect(c.mode).toBe(base.mode);
    expect(c.engine).toBe('webllm');
    expect(c.samples).toBe(16);
    expect(c.topP).toBe(base.topP);
    const unknown = configFromParams(new URLSearchParams('model=nope'), base, registry);
    expect(unknown.model).toBe(base.model);
  });

  it('gives compare panes their own settings over shared ones', () => {
    const p = new URLSearchParams('engine=openai&modelName=m&a.mode=cot&b.mode=agent&b.samples=4');
    const a = configFromParams(p, base, registry, 'a.');
    const b = configFromParams(p, base, registry, 'b.');
    expect([a.mode, a.engine, a.samples]).toEqual(['cot', 'openai', base.samples]);
    expect([b.mode, b.engine, b.samples]).toEqual(['agent', 'openai', 4]);
  });

  it('writes only what differs, never the API key, and round-trips', () => {
    const c = { ...base, engine: 'openai' as const, modelName: 'm', apiKey: 'secret', samples: 3 };
    const params = configToParams(c, base, 'b.');
    expect(params).toContainEqual(['b.engine', 'openai']);
    expect(params).toContainEqual(['b.samples', '3']);
    expect(params.some(([k]) => k.includes('apiKey'))).toBe(false);
    expect(params.some(([k]) => k === 'b.model')).toBe(false);
    const back = configFromParams(new URLSearchParams(params), base, registry, 'b.');
    expect({ ...back, apiKey: 'secret' }).toEqual(c);
  });

  it('carries a sampling seed only when one is set, and refuses one out of range', () => {
    expect(base.seed).toBeNull();
    expect(configToParams(base, base)).toEqual([]);
    const seeded = configFromParams(new URLSearchParams('seed=7'), base, registry);
    expect(seeded.seed).toBe(7);
    expect(configToParams(seeded, base)).toEqual([['seed', '7']]);
    for (const bad of ['-1', '1.5', 'x', '', String(2 ** 31)])
      expect(configFromParams(new URLSearchParams({ seed: bad }), base, registry).seed).toBeNull();
    expect([parseSeed(' 0 '), parseSeed(String(2 ** 31 - 1)), parseSeed(null)]).toEqual([
      0,
      2 ** 31 - 1,
      null,
    ]);
  });

  it('clamps numbers to their ranges and rounds integers', () => {
    expect(clampNumber('samples', 2.6)).toBe(3);
    expect(clampNumber('temperature', -1)).toBe(0);
    expect(clampNumber('pythonTimeoutS', 1e9)).toBe(3600);
  });
});

describe('grading against gold in the compare view', () => {
  it('guesses the kind and grades with the project graders', async () => {
    expect(guessKind('42')).toBe('math');
    expect(guessKind('\\frac{1}{2}')).toBe('math');
    expect(guessKind('Jacobo Morales')).toBe('factual');
    expect(guessKind('1934 births in Puerto Rico')).toBe('factual');
    expect(golds(' a | b |')).toEqual(['a', 'b']);
    expect((await grade('factual', 'It was Jacobo Morales.', 'Jacobo Morales')).correct).toBe(true);
    expect((await grade('math', 'so \\boxed{0.5}', '\\frac{1}{2}')).correct).toBe(true);
    expect((await grade('math', '41', '42')).correct).toBe(false);
    expect((await grade('factual', null, 'x')).correct).toBe(false);
  });
});
