import { mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync, renameSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlaygroundError } from '../../src/errors.ts';
import {
  assertModelFolder,
  chooseModelSource,
  fetchLocalModels,
  validateModelFolder,
  type LocalModelInfo,
} from '../../src/engines/model-folder.ts';
import type { ModelEntry } from '../../src/engines/model-registry.ts';
import { nodeFolderAccess, preferLocalModel } from '../../src/engines/local-model-folders.ts';

/** Writes a small but well-formed MLC model folder: two shards, a tokenizer, the manifests. */
function writeFixtureModel(dir: string, shardSizes: number[] = [3000, 1234]): void {
  const records = shardSizes.map((n, i) => ({
    dataPath: `params_shard_${i}.bin`,
    format: 'raw-shard',
    nbytes: n,
    records: [
      {
        name: `w${i}.a`,
        shape: [n / 2],
        dtype: 'uint8',
        format: 'raw',
        nbytes: Math.floor(n / 2),
        byteOffset: 0,
      },
      {
        name: `w${i}.b`,
        shape: [n - Math.floor(n / 2)],
        dtype: 'uint8',
        format: 'raw',
        nbytes: n - Math.floor(n / 2),
        byteOffset: Math.floor(n / 2),
      },
    ],
  }));
  shardSizes.forEach((n, i) =>
    writeFileSync(join(dir, `params_shard_${i}.bin`), Buffer.alloc(n, i + 1)),
  );
  writeFileSync(
    join(dir, 'tensor-cache.json'),
    JSON.stringify({ metadata: { ParamSize: shardSizes.length * 2 }, records }),
  );
  writeFileSync(
    join(dir, 'mlc-chat-config.json'),
    JSON.stringify({
      model_type: 'qwen2',
      quantization: 'q4f16_1',
      vocab_size: 151936,
      context_window_size: 4096,
      prefill_chunk_size: 1024,
      conv_template: { name: 'qwen2', system_message: 'You are Qwen.' },
      tokenizer_files: ['tokenizer.json', 'vocab.json', 'merges.txt'],
      model_config: {
        num_hidden_layers: 28,
        num_key_value_heads: 2,
        num_attention_heads: 12,
        hidden_size: 1536,
      },
    }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), '{"model":{}}');
  writeFileSync(join(dir, 'vocab.json'), '{}');
  writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'model-folder-'));
  writeFixtureModel(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const check = () => validateModelFolder(nodeFolderAccess(dir));

describe('validateModelFolder', () => {
  it('accepts a complete folder and reports its shards and bytes', async () => {
    const r = await check();
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.shards).toBe(2);
    expect(r.weightBytes).toBe(4234);
    expect(r.chatConfig?.context_window_size).toBe(4096);
  });

  it('names a missing shard and says what to copy', async () => {
    unlinkSync(join(dir, 'params_shard_1.bin'));
    const r = await check();
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'params_shard_1.bin', kind: 'missing' });
    expect(r.problems[0]?.message).toMatch(
      /params_shard_1\.bin is missing.*copy every params_shard/,
    );
  });

  it('names a shard of the wrong size with both sizes', async () => {
    truncateSync(join(dir, 'params_shard_0.bin'), 2999);
    const r = await check();
    expect(r.problems).toEqual([
      expect.objectContaining({ file: 'params_shard_0.bin', kind: 'wrong_size' }),
    ]);
    expect(r.problems[0]?.message).toMatch(/2999 bytes but tensor-cache\.json lists 3000/);
  });

  it('reports bad JSON in either manifest', async () => {
    writeFileSync(join(dir, 'tensor-cache.json'), '{"records": [');
    writeFileSync(join(dir, 'mlc-chat-config.json'), 'not json');
    const r = await check();
    expect(r.problems.map((p) => [p.file, p.kind])).toEqual([
      ['mlc-chat-config.json', 'bad_json'],
      ['tensor-cache.json', 'bad_json'],
    ]);
    expect(r.shards).toBe(0);
  });

  it('reports missing manifests, and an old ndarray-cache.json by name', async () => {
    unlinkSync(join(dir, 'mlc-chat-config.json'));
    renameSync(join(dir, 'tensor-cache.json'), join(dir, 'ndarray-cache.json'));
    const r = await check();
    expect(r.problems.map((p) => [p.file, p.kind])).toEqual([
      ['mlc-chat-config.json', 'missing'],
      ['tensor-cache.json', 'missing'],
    ]);
    expect(r.problems[1]?.message).toMatch(/rename ndarray-cache\.json to tensor-cache\.json/);
  });

  it('checks the required chat config fields and the tokenizer files it names', async () => {
    writeFileSync(
      join(dir, 'mlc-chat-config.json'),
      JSON.stringify({
        tokenizer_files: ['tokenizer.json'],
        vocab_size: 10,
        context_window_size: 4096,
      }),
    );
    expect((await check()).problems[0]?.message).toMatch(/"conv_template"/);
    writeFixtureModel(dir);
    unlinkSync(join(dir, 'merges.txt'));
    writeFileSync(join(dir, 'vocab.json'), '');
    const r = await check();
    expect(r.problems.map((p) => [p.file, p.kind])).toEqual([
      ['vocab.json', 'missing'],
      ['merges.txt', 'missing'],
    ]);
    expect(r.problems[0]?.message).toMatch(/vocab\.json is empty/);
  });

  it('refuses manifests that point outside the folder or tensors past their shard', async () => {
    const cache = (records: unknown) =>
      writeFileSync(join(dir, 'tensor-cache.json'), JSON.stringify({ records }));
    cache([{ dataPath: '../../etc/passwd', nbytes: 10, records: [] }]);
    expect((await check()).problems[0]?.message).toMatch(/outside the folder/);
    cache([
      { dataPath: 'params_shard_0.bin', nbytes: 3000, records: [{ byteOffset: 2990, nbytes: 20 }] },
    ]);
    expect((await check()).problems[0]?.message).toMatch(/tensor outside its 3000 bytes/);
    cache([{ dataPath: 'params_shard_0.bin' }]);
    expect((await check()).problems[0]?.message).toMatch(/"nbytes"/);
  });

  it('throws model_folder_invalid naming every problem', async () => {
    unlinkSync(join(dir, 'params_shard_0.bin'));
    unlinkSync(join(dir, 'params_shard_1.bin'));
    const err = await assertModelFolder(nodeFolderAccess(dir), 'models/x/resolve/main').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlaygroundError);
    expect((err as PlaygroundError).code).toBe('model_folder_invalid');
    expect((err as PlaygroundError).message).toMatch(/models\/x\/resolve\/main.*2 problems/);
    expect((err as PlaygroundError).message).toMatch(/params_shard_0\.bin is missing/);
    expect((err as PlaygroundError).message).toMatch(/params_shard_1\.bin is missing/);
  });
});

const entry = (patch: Partial<ModelEntry> = {}): ModelEntry => ({
  id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
  label: 'Qwen2.5 0.5B',
  family: 'Qwen2.5-0.5B-Instruct',
  paramsB: 0.5,
  quantization: 'q4f16_1',
  kind: 'base',
  source: 'prebuilt',
  model: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
  modelLib: 'https://example.org/libs/Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm',
  vramRequiredMB: 944.62,
  contextWindowSize: 4096,
  promptProfile: 'fewshot',
  sampling: { temperature: 0.4, topP: 0.8, samples: 1, maxTokens: 1024 },
  ...patch,
});

describe('choosing a local copy', () => {
  const info = (patch: Partial<LocalModelInfo> = {}): LocalModelInfo => ({
    id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    ok: true,
    problems: [],
    libs: [],
    ...patch,
  });

  it('prefers a valid local folder, and its copy of the model library', () => {
    const c = chooseModelSource(entry(), [info()]);
    expect(c).toMatchObject({ local: true, available: true });
    expect(c.entry.model).toBe('/models/Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(c.entry.modelLib).toBe(entry().modelLib);
    const withLib = chooseModelSource(entry(), [
      info({ libs: ['Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm'] }),
    ]);
    expect(withLib.entry.modelLib).toBe(
      '/models/Qwen2.5-0.5B-Instruct-q4f16_1-MLC/resolve/main/Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm',
    );
  });

  it('keeps the remote copy when the local one is broken, and says why', () => {
    const c = chooseModelSource(entry(), [info({ ok: false, problems: ['x.bin is missing'] })]);
    expect(c).toMatchObject({ local: false, available: true, problems: ['x.bin is missing'] });
    expect(c.entry.model).toMatch(/^https:/);
  });

  it('marks a local-only entry without a folder unavailable, naming where to put it', () => {
    const local = entry({ id: 'd-q4f16_1', source: 'local', model: '/models/d-q4f16_1' });
    const c = chooseModelSource(local, []);
    expect(c.available).toBe(false);
    expect(c.problems[0]).toMatch(/models\/d-q4f16_1\/resolve\/main\//);
  });

  it('preferLocalModel reads models/ on disk', async () => {
    const modelsDir = await mkdtemp(join(tmpdir(), 'models-dir-'));
    try {
      const e = entry();
      expect((await preferLocalModel(e, modelsDir)).local).toBe(false);
      const folder = join(modelsDir, e.id, 'resolve', 'main');
      await mkdir(folder, { recursive: true });
      writeFixtureModel(folder);
      await writeFile(join(folder, 'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm'), 'x');
      const c = await preferLocalModel(e, modelsDir);
      expect(c.local).toBe(true);
      expect(c.entry.modelLib).toMatch(/^\/models\/.*\.wasm$/);
      unlinkSync(join(folder, 'params_shard_0.bin'));
      const broken = await preferLocalModel(e, modelsDir);
      expect(broken.local).toBe(false);
      expect(broken.problems.join(' ')).toMatch(/params_shard_0\.bin is missing/);
      // A folder symlinked from elsewhere counts, as users keep weights on other disks.
      const other = await mkdtemp(join(tmpdir(), 'models-elsewhere-'));
      await mkdir(join(other, 'resolve', 'main'), { recursive: true });
      writeFixtureModel(join(other, 'resolve', 'main'));
      await symlink(other, join(modelsDir, 'Qwen2.5-3B-Instruct-q4f16_1-MLC'));
      const linked = await preferLocalModel(
        entry({ id: 'Qwen2.5-3B-Instruct-q4f16_1-MLC' }),
        modelsDir,
      );
      expect(linked.local).toBe(true);
      rmSync(other, { recursive: true, force: true });
    } finally {
      rmSync(modelsDir, { recursive: true, force: true });
    }
  });

  it('fetchLocalModels treats an HTML fallback page or an error as no local models', async () => {
    const html: typeof fetch = async () =>
      new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } });
    expect(await fetchLocalModels('http://127.0.0.1/', html)).toEqual([]);
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await fetchLocalModels('http://127.0.0.1/', down)).toEqual([]);
    const good: typeof fetch = async () => Response.json({ models: [info(), { id: 3 }] });
    expect(await fetchLocalModels('http://127.0.0.1/', good)).toEqual([info()]);
  });
});
