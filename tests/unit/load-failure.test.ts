/** A failed load names the model, where its files were fetched from, and what to try next. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFailure } from '../../src/engines/load-failure.ts';
import { localModelPath } from '../../src/engines/model-folder.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import { PlaygroundError } from '../../src/errors.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));
const entry = registry.models.find((m) => m.id === 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
const origin = 'http://127.0.0.1:4173';

describe('loadFailure', () => {
  if (!entry) throw new Error('registry lost Qwen2.5-0.5B-Instruct-q4f32_1-MLC');

  it('a network failure: model, weights host, library host, and what to do next', () => {
    const e = loadFailure(
      new PlaygroundError('model_load_failed', 'The model files could not be downloaded.'),
      entry,
      entry,
      'huggingface.co',
      origin,
    );
    expect(e.code).toBe('model_load_failed');
    expect(e.message).toMatch(
      /^Qwen2\.5 0\.5B Instruct \(q4f32_1\) \(tried weights from huggingface\.co, model library from raw\.githubusercontent\.com\): The model files could not be downloaded\. Next: check the connection/,
    );
    expect(e.message).toContain('add it from disk under Models → Add a model');
  });

  it('a GPU failure keeps its code and its own advice, with no network hint', () => {
    const local = { ...entry, model: localModelPath(entry.id), modelLib: '/models/x/lib.wasm' };
    const e = loadFailure(
      new PlaygroundError('out_of_memory', 'The GPU ran out of memory.'),
      entry,
      local,
      "this app's server (models/x/resolve/main/)",
      origin,
    );
    expect(e.code).toBe('out_of_memory');
    expect(e.message).toBe(
      "Qwen2.5 0.5B Instruct (q4f32_1) (tried weights from this app's server (models/x/resolve/main/), model library from 127.0.0.1:4173): The GPU ran out of memory.",
    );
  });
});
