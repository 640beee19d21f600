/**
 * The CPU engine in real Chromium: wllama (llama.cpp in WebAssembly, multi-threaded under the dev
 * server's cross-origin isolation) running the tiny GGUF fixture, which answers any prompt with
 * one agent turn ending in final_answer(42). Downloads come from a second server on 127.0.0.1
 * (another origin, with CORS, like a model hub) that honours Range and serves slowly.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createServer as createVite, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../src/agent/ports.ts';
import { collectErrors, launchChromium, ROOT, type Chromium } from './helpers/app-server.ts';
import type { ChatOutcome } from '../fixtures/gguf/browser-page.ts';
import { sendRanged } from '../helpers/ranged-file.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/gguf/tiny-agent.gguf');
const TURN = /^Thought: .+\nCode:\n```py\nfinal_answer\(42\)\n```<end_code>$/s;
const question: ChatMessage[] = [{ role: 'user', content: 'New task:\nWhat is 6 times 7?' }];

let vite: ViteDevServer;
let hub: Server;
let hubUrl: string;
let chrome: Chromium;
let page: Page;
let errors: string[];
let model: Buffer;
const hubRanges: (string | undefined)[] = [];

beforeAll(async () => {
  model = await readFile(FIXTURE);
  hub = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'Range',
      'Access-Control-Expose-Headers': 'Content-Length, Content-Range',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    hubRanges.push(req.headers.range);
    const body = req.url === '/tiny.gguf' ? model : null;
    if (!body) return void res.writeHead(404, cors).end('not found');
    sendRanged(req, res, body, { headers: cors, chunkDelayMs: 10 });
  });
  await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  vite = await createVite({
    configFile: join(ROOT, 'vite.config.ts'),
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    logLevel: 'silent',
  });
  await vite.listen();
  chrome = await launchChromium();
  page = await chrome.context.newPage();
  errors = collectErrors(page);
  await page.goto(`${vite.resolvedUrls?.local[0] ?? ''}tests/fixtures/gguf/browser.html`);
  await page.waitForFunction(() => 'cpu' in window);
}, 240_000);

afterAll(async () => {
  await chrome?.close();
  await vite?.close();
  await new Promise<void>((r) => (hub ? hub.close(() => r()) : r()));
});

const load = (
  src: Parameters<Window['cpu']['load']>[0],
  opts?: Parameters<Window['cpu']['load']>[1],
) => page.evaluate(([s, o]) => window.cpu.load(s, o), [src, opts] as const);
const chat = (
  // responseFormat's recursive JSON type is too deep for page.evaluate's argument typing.
  request: Omit<ChatRequest, 'signal' | 'onToken' | 'onSample' | 'responseFormat'>,
  abortAfter?: number,
) =>
  page.evaluate(([r, a]) => window.cpu.chat(r, a), [
    request,
    abortAfter,
  ] as const) as Promise<ChatOutcome>;
const text = (o: ChatOutcome, i = 0) => o.response?.choices[i]?.text;

describe('wllama engine in Chromium', () => {
  it('downloads the model with progress and loads it multi-threaded', async () => {
    const info = await load(
      { url: `${hubUrl}/tiny.gguf`, key: 'tiny-agent', expectedBytes: model.length },
      { threads: 2 },
    );
    expect(info).toMatchObject({
      label: 'tiny-agent',
      isolated: true,
      multiThreaded: true,
      threads: 2,
    });
    const progress = await page.evaluate(() => window.cpu.progress);
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads.length).toBeGreaterThan(3);
    expect(downloads.at(-1)?.fraction).toBe(1);
    expect(progress.at(-1)).toMatchObject({ phase: 'load', fraction: 1 });
    const out = await chat({
      messages: question,
      temperature: 0.4,
      topP: 0.8,
      seed: 1,
      maxTokens: 64,
    });
    expect(text(out)).toMatch(TURN);
  });

  it('loads the stored copy without the network, single-threaded', async () => {
    const stored = await page.evaluate(() => window.cpu.stored());
    expect(stored).toContainEqual({ key: 'tiny-agent', bytes: model.length, complete: true });
    const before = hubRanges.length;
    const info = await load(
      { url: `${hubUrl}/tiny.gguf`, key: 'tiny-agent', expectedBytes: model.length },
      { threads: 1 },
    );
    expect(info).toMatchObject({ multiThreaded: false });
    expect(hubRanges.length).toBe(before);
  });

  it('streams token by token and reports usage', async () => {
    const out = await chat({ messages: question, temperature: 0.4, topP: 0.8, seed: 2 });
    expect(text(out)).toMatch(TURN);
    expect(out.response?.choices[0]?.finishReason).toBe('stop');
    expect(out.deltas.length).toBeGreaterThanOrEqual(5);
    expect(out.deltas.map(([, d]) => d).join('')).toBe(text(out));
    expect(out.response?.usage?.completionTokens).toBe(out.deltas.length + 1);
    expect(out.response?.usage?.promptTokens).toBeGreaterThan(20);
  });

  it('honours max_tokens and stop sequences', async () => {
    const short = await chat({ messages: question, maxTokens: 2, seed: 1 });
    expect(short.response?.choices[0]?.finishReason).toBe('length');
    expect(text(short)).toMatch(/^Thought: [^\n]+\.$/);
    const cut = await chat({ messages: question, seed: 1, stop: ['<end_code>', '_answer('] });
    expect(text(cut)).toMatch(/\nCode:\n```py\nfinal$/);
    expect(cut.deltas.map(([, d]) => d).join('')).toBe(text(cut));
  });

  it('continues an assistant prefix, and stops within a second of an abort', async () => {
    const endless: ChatMessage[] = [...question, { role: 'assistant', content: 'Thinking ~' }];
    const four = await chat({ messages: endless, continueFinalMessage: true, maxTokens: 4 });
    expect(text(four)).toBe('~~~~');
    const out = await chat({ messages: endless, continueFinalMessage: true, maxTokens: 8000 }, 20);
    expect(out.error?.code).toBe('aborted');
    expect(out.deltas.length).toBeLessThan(60);
    expect(out.afterAbortMs).toBeLessThan(1000);
  });

  it('gives the same text for the same seed and different texts across seeds', async () => {
    const at = async (seed: number) =>
      text(await chat({ messages: question, temperature: 1, topP: 1, seed }));
    expect(await at(7)).toBe(await at(7));
    const texts = new Set<string | undefined>();
    for (let seed = 0; seed < 8; seed++) texts.add(await at(seed));
    expect(texts.size).toBeGreaterThan(1);
  });

  it('returns n samples, each streamed and reported', async () => {
    const out = await chat({ messages: question, n: 3, temperature: 1, seed: 11 });
    expect(out.response?.choices).toHaveLength(3);
    expect(out.samplesDone).toEqual([0, 1, 2]);
    for (let i = 0; i < 3; i++) {
      expect(text(out, i)).toMatch(TURN);
      const streamed = out.deltas
        .filter(([j]) => j === i)
        .map(([, d]) => d)
        .join('');
      expect(streamed).toBe(text(out, i));
    }
  });

  it('runs the whole agent loop, and SAG, with real Pyodide', async () => {
    const run = await page.evaluate(() => window.cpu.agent('What is 6 times 7?', 1, 5));
    expect(run.status).toBe('answered');
    expect(run.answer).toBe('42');
    expect(run.settings).toMatchObject({ engine: 'wllama', model: 'tiny-agent' });
    expect(run.steps[0]?.observation).toContain('Last output from code snippet:\n42');
    const sag = await page.evaluate(() => window.cpu.agent('What is 6 times 7?', 3));
    expect(sag.status).toBe('answered');
    expect(sag.answer).toBe('42');
    expect(sag.steps[0]?.candidates).toHaveLength(3);
  }, 120_000);
});

describe('GGUF sources in Chromium', () => {
  it('loads a local file the user picks', async () => {
    await page.setInputFiles('#gguf', FIXTURE);
    const info = await load('picked-file', { threads: 1 });
    expect(info).toMatchObject({ label: 'tiny-agent.gguf' });
    expect(text(await chat({ messages: question, seed: 3 }))).toMatch(TURN);
  });

  it('refuses a truncated or foreign file, naming it', async () => {
    await page.setInputFiles('#gguf', {
      name: 'cut.gguf',
      mimeType: 'application/octet-stream',
      buffer: model.subarray(0, 150_000),
    });
    const cut = await load('picked-file');
    expect(cut).toMatchObject({ error: { code: 'model_load_failed' } });
    expect(JSON.stringify(cut)).toContain('cut.gguf is truncated');
    await page.setInputFiles('#gguf', {
      name: 'photo.gguf',
      mimeType: 'image/png',
      buffer: Buffer.from('\x89PNG\r\n\x1a\n'.repeat(8)),
    });
    expect(JSON.stringify(await load('picked-file'))).toContain(
      'photo.gguf is not a GGUF model file',
    );
  });

  it('cancels a download and resumes it with a Range request', async () => {
    const src = { url: `${hubUrl}/tiny.gguf`, key: 'resume-test', expectedBytes: model.length };
    const cancelled = await load(src, { cancelAtFraction: 0.3 });
    expect(cancelled).toMatchObject({ error: { code: 'aborted' } });
    const resumed = await load(src, { threads: 1 });
    expect(resumed).toMatchObject({ label: 'resume-test' });
    expect(hubRanges.at(-1)).toMatch(/^bytes=\d+-$/);
    const progress = await page.evaluate(() => window.cpu.progress);
    const first = progress.find((p) => p.phase === 'download');
    expect(first?.fraction).toBeGreaterThanOrEqual(0.3);
    expect(progress.at(-1)).toMatchObject({ phase: 'load', fraction: 1 });
  });

  it('lists and deletes stored copies', async () => {
    await page.evaluate(() => window.cpu.removeStored('resume-test'));
    const keys = (await page.evaluate(() => window.cpu.stored())).map((s) => s.key);
    expect(keys).toContain('tiny-agent');
    expect(keys).not.toContain('resume-test');
  });

  it('reports a 404 and a wrong size with the address', async () => {
    const missing = await load({ url: `${hubUrl}/gone.gguf`, key: 'gone' });
    expect(missing).toMatchObject({ error: { code: 'download_failed' } });
    expect(JSON.stringify(missing)).toContain(`${hubUrl}/gone.gguf (HTTP 404)`);
    const wrong = await load({ url: `${hubUrl}/tiny.gguf`, key: 'wrong', expectedBytes: 1234 });
    expect(JSON.stringify(wrong)).toContain(`is ${model.length} bytes, not the 1234`);
  });

  it('logged no errors beyond the refused requests', () => {
    // Chromium logs the 404 once, without its address.
    const other = errors.filter((e) => !e.includes('/gone.gguf') && !e.includes('status of 404'));
    expect(other).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(2);
  });
});
