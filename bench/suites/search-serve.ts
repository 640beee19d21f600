/**
 * The sharded index served over HTTP the way a static host serves /generated/index/, with the
 * bytes sent counted, and queried from Node and from real Chromium: what opening and the first
 * query cost, warm latency, and the memory a tab keeps after many queries.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { fetchIndexSource, loadIndex } from '../../src/search/index.ts';
import { CHROMIUM_ARGS } from '../../tests/e2e/helpers/app-server.ts';

export interface ServedIndex {
  base: string;
  /** Bytes sent since the last reset. */
  sent(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function serveIndex(dir: string): Promise<ServedIndex> {
  let sent = 0;
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, '../../src/search/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  const script = bundle.outputFiles[0]?.contents ?? new Uint8Array();
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0] ?? '/';
    if (url === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>bench</title>');
      return;
    }
    if (url === '/search.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      return;
    }
    const name = /^\/idx\/([\w.-]+)$/.exec(url)?.[1];
    if (!name) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(dir, name)).then(
      (data) => {
        sent += data.byteLength;
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(data);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    base: `http://127.0.0.1:${port}`,
    sent: () => sent,
    reset: () => {
      sent = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface ServedFigures {
  openMs: number;
  firstQueryMs: number;
  /** Open plus first query. */
  firstQueryTotalMs: number;
  firstQueryMB: number;
  warmP50Ms: number;
  warmP95Ms: number;
  heapMBAfterQueries: number;
  queries: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** From Node through fetch, as the browser code path runs. */
export async function measureNode(
  served: ServedIndex,
  queries: readonly string[],
  heapMB: () => number,
): Promise<ServedFigures> {
  served.reset();
  const t0 = performance.now();
  const index = await loadIndex(fetchIndexSource(`${served.base}/idx/`));
  const openMs = performance.now() - t0;
  const t1 = performance.now();
  await index.search(queries[0] ?? '', 3);
  const firstQueryMs = performance.now() - t1;
  const firstQueryMB = served.sent() / 1e6;
  for (const q of queries) await index.search(q, 3);
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await index.search(q, 3);
    times.push(performance.now() - t);
  }
  return {
    openMs: r1(openMs),
    firstQueryMs: r1(firstQueryMs),
    firstQueryTotalMs: r1(openMs + firstQueryMs),
    firstQueryMB: Math.round(firstQueryMB * 100) / 100,
    warmP50Ms: r1(percentile(times, 0.5)),
    warmP95Ms: r1(percentile(times, 0.95)),
    heapMBAfterQueries: Math.round(heapMB()),
    queries: queries.length,
  };
}

/** In headless Chromium: the bundle of src/search loads the index from the local server. */
export async function measureChromium(
  served: ServedIndex,
  queries: readonly string[],
): Promise<ServedFigures> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${served.base}/`);
    served.reset();
    const first = await page.evaluate(async (q: string) => {
      const m = (await import(
        '/search.js' as string
      )) as typeof import('../../src/search/index.ts');
      const t0 = performance.now();
      const index = await m.loadIndex(m.fetchIndexSource('/idx/'));
      const openMs = performance.now() - t0;
      const t1 = performance.now();
      await index.search(q, 3);
      (globalThis as unknown as { benchIndex: unknown }).benchIndex = index;
      return { openMs, firstQueryMs: performance.now() - t1 };
    }, queries[0] ?? '');
    const firstQueryMB = served.sent() / 1e6;
    const rest = await page.evaluate(async (qs: string[]) => {
      const index = (
        globalThis as unknown as {
          benchIndex: { search(q: string, k: number): Promise<unknown> };
        }
      ).benchIndex;
      for (const q of qs) await index.search(q, 3);
      const times: number[] = [];
      for (const q of qs) {
        const t = performance.now();
        await index.search(q, 3);
        times.push(performance.now() - t);
      }
      (globalThis as unknown as { gc?: () => void }).gc?.();
      const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return { times, heap: memory?.usedJSHeapSize ?? NaN };
    }, queries as string[]);
    return {
      openMs: r1(first.openMs),
      firstQueryMs: r1(first.firstQueryMs),
      firstQueryTotalMs: r1(first.openMs + first.firstQueryMs),
      firstQueryMB: Math.round(firstQueryMB * 100) / 100,
      warmP50Ms: r1(percentile(rest.times, 0.5)),
      warmP95Ms: r1(percentile(rest.times, 0.95)),
      heapMBAfterQueries: Math.round(rest.heap / 1e6),
      queries: queries.length,
    };
  } finally {
    await browser.close();
  }
}
