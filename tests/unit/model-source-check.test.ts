/**
 * Checking a model before adding it: repository ids and URLs, the manifest check over real HTTP
 * against a local server that plays a model hub, and the registry entry built from the result.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addedEntry,
  addedModelId,
  checkHubModel,
  checkModelSource,
  modelFiles,
  parseHubRef,
} from '../../src/engines/model-source-check.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { blobFolderAccess, pickedFolder } from '../../src/engines/webllm-cache-import.ts';
import {
  QWEN_05B_CONFIG,
  modelFolder,
  startModelHub,
  type ModelHub,
} from '../helpers/model-hub.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));

describe('parseHubRef', () => {
  it('reads ids and links to a repository, a file or a tree', () => {
    const id = 'mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
    const url = `https://huggingface.co/${id}`;
    for (const input of [
      id,
      ` ${id} `,
      url,
      `${url}/`,
      `${url}/tree/main`,
      `${url}/resolve/main/mlc-chat-config.json`,
      `${url}/blob/main/tensor-cache.json`,
    ]) {
      expect(parseHubRef(input), input).toEqual({ repo: id, url, host: 'huggingface.co' });
    }
    expect(parseHubRef('http://127.0.0.1:9/me/m-q4f32_1')).toEqual({
      repo: 'me/m-q4f32_1',
      url: 'http://127.0.0.1:9/me/m-q4f32_1',
      host: '127.0.0.1:9',
    });
  });

  it('refuses what is no repository', () => {
    for (const bad of ['qwen', 'ftp://x.org/a/b', 'https://huggingface.co/', 'a b/c']) {
      expect(() => parseHubRef(bad), bad).toThrow(PlaygroundError);
    }
  });

  it('builds ids that name their quantization', () => {
    expect(addedModelId('My-Model-q4f32_1-MLC', 'q4f32_1')).toBe('My-Model-q4f32_1-MLC');
    expect(addedModelId('my model', 'q4f16_1')).toBe('my-model-q4f16_1');
  });
});

describe('checkHubModel against a local hub', () => {
  let hub: ModelHub;
  const repo = 'me/Tiny-Qwen-q4f32_1-MLC';
  const ref = () => parseHubRef(`${hub.url}/${repo}`);

  beforeAll(async () => {
    hub = await startModelHub();
  });
  afterAll(() => hub.close());
  beforeEach(() => {
    hub.repos.clear();
    hub.requests.length = 0;
  });

  it('reads the manifests, sizes every file with HEAD and maps the library; no weights move', async () => {
    const files = modelFolder();
    hub.repos.set(repo, files);
    const check = await checkHubModel(ref());
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    const total = [...files.values()].reduce((n, b) => n + b.byteLength, 0);
    expect(check.totalBytes).toBe(total);
    expect(check.library?.ok && check.library.library.name).toBe('Qwen2-0.5B-Instruct');
    expect(check.library?.ok && check.library.vramRequiredMB).toBe(1060.2);
    expect(modelFiles(check.folder).sort()).toEqual([...files.keys()].sort());
    // Shards were sized, never downloaded.
    expect(hub.requests.filter((r) => r.startsWith('GET') && r.endsWith('.bin'))).toEqual([]);
    expect(hub.requests).toContain(`HEAD /${repo}/resolve/main/params_shard_1.bin`);
    // Each file is asked about once: a GET for a manifest, a HEAD for the rest.
    expect(hub.requests.map((r) => r.split(' ')[1]).sort()).toEqual(
      [...files.keys()].map((f) => `/${repo}/resolve/main/${f}`).sort(),
    );

    const entry = addedEntry(
      check,
      registry,
      {
        id: 'Tiny-Qwen-q4f32_1-MLC',
        label: 'Tiny Qwen',
        promptProfile: 'distilled',
        model: ref().url,
        source: 'hub',
        notes: 'test',
      },
      { temperature: 0.4, topP: 0.8 },
    );
    expect(entry).toMatchObject({
      kind: 'distilled',
      baseModel: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      quantization: 'q4f32_1',
      contextWindowSize: 4096,
      model: `${hub.url}/${repo}`,
      promptProfile: 'distilled',
    });
    // The entry is a valid registry entry next to the built-in ones.
    expect(() =>
      validateRegistry({ version: 1, models: [...registry.models, entry] }),
    ).not.toThrow();
  });

  it('names a missing shard and a shard of the wrong size', async () => {
    const files = modelFolder(QWEN_05B_CONFIG, 3);
    files.delete('params_shard_1.bin');
    files.set('params_shard_2.bin', Buffer.alloc(100));
    hub.repos.set(repo, files);
    const check = await checkHubModel(ref());
    expect(check.ok).toBe(false);
    expect(check.problems).toHaveLength(2);
    expect(check.problems[0]).toMatch(
      /^params_shard_1\.bin is missing \(tensor-cache\.json lists it/,
    );
    expect(check.problems[1]).toMatch(
      /^params_shard_2\.bin is 100 bytes but tensor-cache\.json lists 4096/,
    );
  });

  it('names a missing config and refuses an unknown architecture', async () => {
    const noConfig = modelFolder();
    noConfig.delete('mlc-chat-config.json');
    hub.repos.set(repo, noConfig);
    const missing = await checkHubModel(ref());
    expect(missing.problems[0]).toMatch(/^mlc-chat-config\.json is missing/);

    hub.repos.set(repo, modelFolder({ ...QWEN_05B_CONFIG, model_type: 'gpt_bigcode' }));
    const unknown = await checkHubModel(ref());
    expect(unknown.ok).toBe(false);
    expect(unknown.problems).toEqual([expect.stringContaining('"gpt_bigcode" has no prebuilt')]);
    expect(() =>
      addedEntry(
        unknown,
        registry,
        {
          id: 'x-q4f32_1',
          label: 'x',
          promptProfile: 'fewshot',
          model: ref().url,
          source: 'hub',
          notes: '',
        },
        { temperature: 0, topP: 1 },
      ),
    ).toThrow(/cannot be added/);
  });

  it('says what a 401 and an unreachable hub mean', async () => {
    await expect(checkHubModel(ref())).rejects.toThrow(
      /answered HTTP 401 for me\/Tiny-Qwen-q4f32_1-MLC: the repository does not exist, or it is private or gated/,
    );
    const down = parseHubRef(`http://127.0.0.1:9/${repo}`);
    await expect(checkHubModel(down)).rejects.toThrow(/Could not reach 127\.0\.0\.1:9/);
  });
});

describe('a picked folder', () => {
  const blobs = (prefix: string, files: Map<string, Buffer>) =>
    [...files].map(([name, body]) => ({
      path: `${prefix}${name}`,
      blob: new Blob([new Uint8Array(body)]),
    }));

  it('finds the model below resolve/main/ and checks it like a server folder', async () => {
    const files = modelFolder();
    const picked = pickedFolder([
      ...blobs('my-student-q4f32_1-MLC/resolve/main/', files),
      { path: 'my-student-q4f32_1-MLC/README.md', blob: new Blob(['x']) },
    ]);
    expect(picked.name).toBe('my-student-q4f32_1-MLC');
    expect([...picked.files.keys()].sort()).toEqual([...files.keys()].sort());
    const check = await checkModelSource(blobFolderAccess(picked.files));
    expect(check.ok).toBe(true);

    const flat = pickedFolder(blobs('main/', files));
    expect(flat.name).toBe('main');
    const bad = modelFolder();
    bad.set('params_shard_0.bin', Buffer.alloc(10));
    const broken = await checkModelSource(blobFolderAccess(pickedFolder(blobs('m/', bad)).files));
    expect(broken.problems).toEqual([expect.stringMatching(/^params_shard_0\.bin is 10 bytes/)]);
  });

  it('refuses a folder with no model in it', () => {
    expect(() => pickedFolder([{ path: 'photos/a.jpg', blob: new Blob(['x']) }])).toThrow(
      /holds no mlc-chat-config\.json/,
    );
  });
});
