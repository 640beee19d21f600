/**
 * The sharded index served over HTTP the way a static host serves /generated/index/, with the
 * bytes sent counted, and queried from Node and from real Chromium: what opening and the first
 * query cost, warm latency, and the memory a tab keeps after many queries.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../../build/serve/static-server.ts';
import type { StaticHandler } from '../../build/serve/static-files.ts';
import { fetchIndexSource, loadIndex } from '../../src/search/index.ts';
import { CHROMIUM_ARGS } from '../../tests/e2e/helpers/app-server.ts';
import { percentile } from '../stats.ts';

export interface ServedIndex {
  base: string;
  /** Bytes sent since the last reset. */
  sent(): number;
  /** Index files requested since the last reset. */
  requests(): number;
  reset(): void;
  /** From the `n`th index request after this call on, connections are dropped; Infinity: never. */
  dropAfter(n: number): void;
  close(): Promise<void>;
}

let searchBundle: Promise<Uint8Array> | undefined;

/** src/search bundled for the page, once per bench run: every served measurement loads it. */
function searchScript(): Promise<Uint8Array> {
  searchBundle ??= build({
    entryPoints: [join(import.meta.dirname, '../../src/search/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  }).then((bundle) => bundle.outputFiles[0]?.contents ?? new Uint8Array());
  return searchBundle;
}

export async function serveIndex(dir: string): Promise<ServedIndex> {
  let requests = 0;
  let dropAt = Infinity;
  const script = await searchScript();
  // Counts index requests and, past dropAt, drops the connection as a train going into a tunnel
  // does (no response at all); everything else is the shared static server's.
  const countOrDrop: StaticHandler = async (req) => {
    if (!(req.url ?? '').startsWith('/idx/')) return false;
    if (++requests <= dropAt) return false;
    req.socket.destroy();
    return true;
  };
  const server = await startStaticServer({
    root: dir,
    prefix: '/idx/',
    // No revalidation: every read is a whole body, so the bytes counted are the bytes needed.
    cacheControl: 'no-store',
    handlers: [countOrDrop],
    pages: {
      '/': { type: 'text/html', body: '<!doctype html><title>bench</title>' },
      '/search.js': { type: 'text/javascript', body: script },
    },
  });
  return {
    base: server.url.slice(0, -1),
    sent: () => server.bytesSent(),
    requests: () => requests,
    reset: () => {
      server.resetBytesSent();
      requests = 0;
    },
    dropAfter: (n) => {
      dropAt = requests + n;
    },
    close: () => server.close(),
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
  /** CPU time of the process per warm query (Node only): steadier than wall time under load. */
  warmCpuP50Ms?: number;
  warmCpuP95Ms?: number;
  heapMBAfterQueries: number;
  /** Typed-array storage, outside the JS heap (Node only). */
  arrayBuffersMBAfterQueries?: number;
  queries: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** The figures Node and Chromium both report, from the open, the first query and warm queries. */
function sharedFigures(
  openMs: number,
  firstQueryMs: number,
  firstQueryMB: number,
  times: number[],
) {
  return {
    openMs: r1(openMs),
    firstQueryMs: r1(firstQueryMs),
    firstQueryTotalMs: r1(openMs + firstQueryMs),
    firstQueryMB: Math.round(firstQueryMB * 100) / 100,
    warmP50Ms: r1(percentile(times, 0.5)),
    warmP95Ms: r1(percentile(times, 0.95)),
  };
}

/** From Node through fetch, as the browser code path runs. */
export async function measureNode(
  served: ServedIndex,
  queries: readonly string[],
  memoryMB: () => Promise<{ heapMB: number; arrayBuffersMB: number }>,
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
  const cpu: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    const c = process.cpuUsage();
    await index.search(q, 3);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const memory = await memoryMB();
  return {
    ...sharedFigures(openMs, firstQueryMs, firstQueryMB, times),
    warmCpuP50Ms: r1(percentile(cpu, 0.5)),
    warmCpuP95Ms: r1(percentile(cpu, 0.95)),
    heapMBAfterQueries: Math.round(memory.heapMB),
    arrayBuffersMBAfterQueries: Math.round(memory.arrayBuffersMB),
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
      // ArrayBuffers (the index caches) are freed after a collection, by a sweeper that runs
      // later: collect, let it run, collect again, or garbage is counted as kept.
      const gc = (globalThis as unknown as { gc?: () => void }).gc;
      gc?.();
      await new Promise((r) => setTimeout(r, 500));
      gc?.();
      const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return { times, heap: memory?.usedJSHeapSize ?? NaN };
    }, queries as string[]);
    return {
      ...sharedFigures(first.openMs, first.firstQueryMs, firstQueryMB, rest.times),
      heapMBAfterQueries: Math.round(rest.heap / 1e6),
      queries: queries.length,
    };
  } finally {
    await browser.close();
  }
}

export interface OfflineFigures {
  where: string;
  totalMB: number;
  files: number;
  /** The first attempt, cut off by dropped connections after half the files. */
  interrupted: { seconds: number; mbSent: number; error: string };
  /** Resumed: what it fetched again and how long it took. */
  resumed: { seconds: number; mbSent: number; filesRequested: number };
  /** Index bytes kept per second over both attempts. */
  mbPerSecond: number;
  /** A query answered from the kept copy alone. */
  queryFromCopy: string;
}

/**
 * "Keep for offline" in real Chromium: downloadIndex into OPFS from the local server, cut off
 * half-way by dropped connections, then resumed; then one query from the copy with the server
 * refusing everything.
 */
export async function measureOfflineChromium(
  served: ServedIndex,
  query: string,
): Promise<OfflineFigures> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${served.base}/`);
    // Function bodies as strings: tsx's helpers do not exist in the page.
    const plan = (await page.evaluate(`(async () => {
      const m = await import('/search.js');
      const root = await navigator.storage.getDirectory();
      await root.removeEntry('bench-offline', { recursive: true }).catch(() => undefined);
      const plan = await m.planOfflineCopy(m.fetchIndexSource('/idx/'), m.opfsIndexStore('bench-offline'));
      return { totalBytes: plan.totalBytes, files: plan.files.length };
    })()`)) as { totalBytes: number; files: number };
    const attempt = `(async () => {
      const m = await import('/search.js');
      const t0 = performance.now();
      try {
        await m.downloadIndex(m.fetchIndexSource('/idx/'), m.opfsIndexStore('bench-offline'));
        return { ms: performance.now() - t0, error: '' };
      } catch (err) {
        return { ms: performance.now() - t0, error: String(err && err.message || err) };
      }
    })()`;
    served.reset();
    served.dropAfter(Math.floor(plan.files / 2));
    const first = (await page.evaluate(attempt)) as { ms: number; error: string };
    const firstSent = served.sent();
    served.dropAfter(Infinity);
    served.reset();
    const second = (await page.evaluate(attempt)) as { ms: number; error: string };
    if (second.error) throw new Error(`resumed download failed: ${second.error}`);
    const secondSent = served.sent();
    const secondRequests = served.requests();
    served.reset();
    served.dropAfter(0);
    const answer = (await page.evaluate(`(async () => {
      const m = await import('/search.js');
      const index = await m.loadIndex(m.opfsIndexStore('bench-offline'));
      const hits = await index.search(${JSON.stringify(query)}, 3);
      return hits.map((h) => h.title).join(' | ');
    })()`)) as string;
    served.dropAfter(Infinity);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      where: 'real Chromium, OPFS, from a local static server',
      totalMB: r2(plan.totalBytes / 1e6),
      files: plan.files,
      interrupted: {
        seconds: r2(first.ms / 1000),
        mbSent: r2(firstSent / 1e6),
        error: first.error,
      },
      resumed: {
        seconds: r2(second.ms / 1000),
        mbSent: r2(secondSent / 1e6),
        filesRequested: secondRequests,
      },
      mbPerSecond: r2(plan.totalBytes / 1e6 / ((first.ms + second.ms) / 1000)),
      queryFromCopy: `${answer} (${served.requests()} requests to the server)`,
    };
  } finally {
    await browser.close();
  }
}
