/**
 * Real llama.cpp inference in Node (node-llama-cpp) with the tiny GGUF fixture, which answers any
 * prompt with one agent turn ending in final_answer(42): streaming, limits, stop sequences, abort,
 * seeds, n samples, whole agent and SAG runs through the CLI with real Pyodide, and bad files.
 */
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/agent/ports.ts';
import {
  checkGgufFile,
  DEFAULT_GGUF_CONTEXT,
  loadedContextSize,
  loadLlamaCppEngine,
  type LlamaCppEngine,
} from '../../src/engines/llama-cpp-engine.ts';
import { renderQwenPrompt } from '../../src/engines/qwen-chat-template.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { runCli } from '../helpers/run-cli.ts';

const FIXTURE = 'tests/fixtures/gguf/tiny-agent.gguf';
const question: ChatMessage[] = [{ role: 'user', content: 'New task:\nWhat is 6 times 7?' }];
/** An assistant prefix ending in "~" makes the fixture repeat "~" until stopped. */
const endless: ChatMessage[] = [...question, { role: 'assistant', content: 'Thinking ~' }];
const TURN = /^Thought: .+\nCode:\n```py\nfinal_answer\(42\)\n```<end_code>$/s;

let engine: LlamaCppEngine;
let dir: string;
beforeAll(async () => {
  // One thread: this machine's cores are shared, and spinning threads only slow a tiny model.
  engine = await loadLlamaCppEngine(FIXTURE, { threads: 1 });
  dir = await mkdtemp(join(tmpdir(), 'gguf-'));
});
afterAll(async () => {
  await engine.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('llama.cpp engine (node-llama-cpp)', () => {
  it('streams one agent turn, token by token, and reports usage', async () => {
    const deltas: string[] = [];
    const r = await engine.chat({
      messages: question,
      temperature: 0.4,
      topP: 0.8,
      seed: 3,
      onToken: (d, i) => {
        expect(i).toBe(0);
        deltas.push(d);
      },
    });
    const text = r.choices[0]?.text ?? '';
    expect(text).toMatch(TURN);
    expect(r.choices[0]?.finishReason).toBe('stop');
    expect(deltas.length).toBeGreaterThanOrEqual(5);
    expect(deltas.join('')).toBe(text);
    expect(r.usage?.completionTokens).toBe(deltas.length);
    // Byte-level BPE: the prompt's three control tokens are one token each, the rest roughly bytes.
    const prompt = renderQwenPrompt(question, { continueFinalMessage: false });
    expect(r.usage?.promptTokens).toBeLessThan(prompt.length);
    expect(r.usage?.promptTokens).toBeGreaterThan(prompt.length / 3);
  });

  it('honours max_tokens', async () => {
    const r = await engine.chat({ messages: question, maxTokens: 2, seed: 1 });
    expect(r.choices[0]?.finishReason).toBe('length');
    expect(r.usage?.completionTokens).toBe(2);
    expect(r.choices[0]?.text).toMatch(/^Thought: [^\n]+\.$/);
  });

  it('cuts the output at a stop sequence, in the stream too', async () => {
    const deltas: string[] = [];
    const r = await engine.chat({
      messages: question,
      seed: 1,
      stop: ['<end_code>', 'Observation:', '_answer('],
      onToken: (d) => deltas.push(d),
    });
    expect(r.choices[0]?.text).toMatch(/\nCode:\n```py\nfinal$/);
    expect(r.choices[0]?.finishReason).toBe('stop');
    expect(deltas.join('')).toBe(r.choices[0]?.text);
  });

  it('continues an assistant prefix without repeating it', async () => {
    const r = await engine.chat({
      messages: endless,
      continueFinalMessage: true,
      maxTokens: 4,
    });
    expect(r.choices[0]?.text).toBe('~~~~');
  });

  it('stops generating soon after an abort', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const run = engine.chat({
      messages: endless,
      continueFinalMessage: true,
      maxTokens: 8000,
      signal: controller.signal,
      onToken: () => {
        tokens += 1;
        if (tokens === 20) controller.abort();
      },
    });
    const err: unknown = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlaygroundError);
    expect((err as PlaygroundError).code).toBe('aborted');
    // Left alone it would write 8000 tokens; it stopped within a few of the abort.
    expect(tokens).toBeLessThan(40);
  });

  it('gives the same text for the same seed and different texts across seeds', async () => {
    const at = (seed: number) =>
      engine
        .chat({ messages: question, temperature: 1, topP: 1, seed })
        .then((r) => r.choices[0]?.text);
    expect(await at(7)).toBe(await at(7));
    const texts = new Set<string | undefined>();
    for (let seed = 0; seed < 8; seed++) texts.add(await at(seed));
    expect(texts.size).toBeGreaterThan(1);
    for (const t of texts) expect(t).toMatch(TURN);
  });

  it('returns n samples, reporting each as it completes', async () => {
    const done: number[] = [];
    const streamed = new Map<number, string>();
    const r = await engine.chat({
      messages: question,
      n: 4,
      temperature: 1,
      seed: 11,
      onSample: (i) => done.push(i),
      onToken: (d, i) => streamed.set(i, (streamed.get(i) ?? '') + d),
    });
    expect(r.choices).toHaveLength(4);
    expect(done).toEqual([0, 1, 2, 3]);
    r.choices.forEach((c, i) => {
      expect(c.text).toMatch(TURN);
      expect(streamed.get(i)).toBe(c.text);
    });
    expect(new Set(r.choices.map((c) => c.text)).size).toBeGreaterThan(1);
  });
});

describe('GGUF files that cannot be used', () => {
  it('refuses a truncated file, naming it', async () => {
    const path = join(dir, 'cut-short.gguf');
    await copyFile(FIXTURE, path);
    await truncate(path, 200_000);
    expect(() => checkGgufFile(path)).toThrow(
      /cut-short\.gguf is truncated: it holds 200000 bytes/,
    );
    await expect(loadLlamaCppEngine(path)).rejects.toThrow(/cut-short\.gguf is truncated/);
  });

  it('refuses a file whose header is damaged, naming it', async () => {
    const bytes = await readFile(FIXTURE);
    // The first metadata key's length, made absurd.
    bytes.writeBigUInt64LE(0xffffffffn, 24);
    const path = join(dir, 'damaged.gguf');
    await writeFile(path, bytes);
    expect(() => checkGgufFile(path)).toThrow(/damaged\.gguf is not a usable GGUF model/);
  });

  it('refuses a file that is not GGUF at all, naming it', async () => {
    const path = join(dir, 'notes.gguf');
    await writeFile(path, 'This is a text file, not a model.\n'.repeat(10));
    expect(() => checkGgufFile(path)).toThrow(/notes\.gguf is not a GGUF model file/);
  });
});

/**
 * A valid GGUF header: `metadata` (strings and uint32s) and one F32 tensor of `elements` values,
 * in a sparse file of the right size.
 */
async function ggufModel(
  path: string,
  metadata: [string, string | number][],
  elements: [number, number],
): Promise<void> {
  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    parts.push(b);
  };
  const u64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    parts.push(b);
  };
  const str = (s: string) => {
    u64(Buffer.byteLength(s));
    parts.push(Buffer.from(s));
  };
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(1); // tensors
  u64(metadata.length);
  for (const [key, value] of metadata) {
    str(key);
    if (typeof value === 'string') {
      u32(8);
      str(value);
    } else {
      u32(4);
      u32(value);
    }
  }
  str('token_embd.weight');
  u32(2);
  u64(elements[0]);
  u64(elements[1]);
  u32(0); // F32
  u64(0);
  const head = Buffer.concat(parts);
  const dataOffset = Math.ceil(head.length / 32) * 32;
  await writeFile(path, head);
  await truncate(path, dataOffset + elements[0] * elements[1] * 4);
}

describe('the memory check', () => {
  it('estimates the context the loader opens: capped when the file states no trained length', async () => {
    const path = join(dir, 'no-trained-length.gguf');
    // A 1 MB model whose KV cache is 64 KB a token: 0.5 GB at 8192 tokens, 640 GB at 10M.
    await ggufModel(
      path,
      [
        ['general.architecture', 'llama'],
        ['llama.block_count', 2],
        ['llama.embedding_length', 4096],
        ['llama.attention.head_count', 32],
      ],
      [256, 1024],
    );
    const header = checkGgufFile(path, 10_000_000);
    expect(loadedContextSize(header, 10_000_000)).toBe(DEFAULT_GGUF_CONTEXT);
    expect(loadedContextSize(header)).toBe(DEFAULT_GGUF_CONTEXT);
    expect(loadedContextSize(header, 2048)).toBe(2048);
  });

  it('is capped by the trained length the file states', async () => {
    const header = checkGgufFile(FIXTURE);
    // The fixture states 16384.
    expect(loadedContextSize(header, 10_000_000)).toBe(16_384);
    expect(loadedContextSize(header, 64)).toBe(64);
  });
});

describe('playground --gguf', () => {
  const gguf = ['--gguf', FIXTURE, '--threads', '1', '--quiet'];

  it('answers with a whole agent run on real inference and real Pyodide', async () => {
    const r = await runCli(['ask', 'What is 6 times 7?', ...gguf, '--json', '--seed', '5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as {
      status: string;
      answer: string;
      steps: { modelOutput: string; observation: string }[];
      settings: { engine: string; model: string };
    };
    expect(record.status).toBe('answered');
    expect(record.answer).toBe('42');
    expect(record.steps).toHaveLength(1);
    expect(record.steps[0]?.modelOutput).toMatch(TURN);
    expect(record.steps[0]?.observation).toContain('Last output from code snippet:\n42');
    expect(record.settings).toMatchObject({ engine: 'llama.cpp', model: 'tiny-agent.gguf' });
  });

  it('runs SAG: samples candidates, votes, and answers', async () => {
    const r = await runCli(['ask', 'What is 6 times 7?', ...gguf, '--json', '--samples', '3']);
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout) as {
      status: string;
      answer: string;
      steps: { candidates: unknown[] }[];
    };
    expect(record.status).toBe('answered');
    expect(record.answer).toBe('42');
    expect(record.steps[0]?.candidates).toHaveLength(3);
  });

  it('says when the file does not exist', async () => {
    const r = await runCli(['ask', 'Q', '--gguf', join(dir, 'nowhere.gguf')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No GGUF model at ${join(dir, 'nowhere.gguf')}`);
  });

  it('says when the file is not a GGUF model', async () => {
    const r = await runCli(['ask', 'Q', '--gguf', 'package.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('package.json is not a GGUF model file');
  });

  it('refuses a model too large for this machine before loading it', async () => {
    const path = join(dir, 'giant.gguf');
    // One 400 GB tensor.
    await ggufModel(path, [['general.architecture', 'llama']], [100_000, 1_000_000]);
    const r = await runCli(['ask', 'Q', '--gguf', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/giant\.gguf needs about 37\d\.\d GB of memory .* this machine has/);
  });

  it('will not take both a GGUF file and a server', async () => {
    const r = await runCli(['ask', 'Q', '--gguf', FIXTURE, '--base-url', 'http://127.0.0.1:9/v1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('either --gguf');
  });
});
