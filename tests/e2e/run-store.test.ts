/**
 * The saved-runs store in real Chromium (IndexedDB, Web Locks, a real storage quota): a tiny page
 * built with Vite from tests/e2e/fixtures/run-store exposes the store; the test drives it across
 * reloads.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/agent/run-record.ts';
import { startStaticServer, type StaticServer } from '../../build/serve/static-server.ts';
import { collectErrors, launchChromium, type Chromium } from './helpers/app-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(import.meta.dirname, 'fixtures/run-store');

const deck = JSON.parse(readFileSync(join(ROOT, 'examples/demo-deck.json'), 'utf8')) as {
  items: { type: string; run?: RunRecord }[];
};
const recorded = deck.items.find((i) => i.type === 'run')?.run;
if (!recorded) throw new Error('examples/demo-deck.json has no recorded run');

function makeRun(id: string, startedAt: number, over: Partial<RunRecord> = {}): RunRecord {
  return { ...(JSON.parse(JSON.stringify(recorded)) as RunRecord), id, startedAt, ...over };
}

let outDir = '';
let server: StaticServer;
let url = '';
let browser: Chromium;
let errors: string[] = [];
let dbName = '';

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sap-run-store-'));
  await build({
    root: FIXTURE,
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  server = await startStaticServer({ root: outDir, index: 'index.html' });
  url = server.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(outDir, { recursive: true, force: true });
});

beforeEach(() => {
  dbName = `runs-${Math.random().toString(36).slice(2)}`;
});

async function openPage(): Promise<Page> {
  const page = await browser.context.newPage();
  errors = collectErrors(page);
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'ready');
  return page;
}

async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => document.title === 'ready');
}

describe('run store in Chromium', () => {
  it('saves runs that survive a reload; lists newest first; searches; gets; deletes', async () => {
    const page = await openPage();
    const runs = [
      makeRun('r1', 1000, { question: 'How tall is the Eiffel Tower?', answer: '330 metres' }),
      makeRun('r2', 3000, { question: 'Who wrote Hamlet?', answer: 'Shakespeare' }),
      makeRun('r3', 2000, {
        question: 'What is 2 + 2?',
        answer: '4',
        settings: { ...recorded.settings, model: 'Qwen2.5-1.5B-q4f16_1-MLC' },
      }),
    ];
    await page.evaluate(
      async ({ name, runsJson }) => {
        const runs = JSON.parse(runsJson) as RunRecord[];
        const store = await window.sap.RunStore.open({ name });
        for (const r of runs) await store.save(r);
        store.close();
      },
      { name: dbName, runsJson: JSON.stringify(runs) },
    );
    await reload(page);
    const seen = await page.evaluate(async (name) => {
      const store = await window.sap.RunStore.open({ name });
      const ids = (q?: string) => store.list({ query: q }).then((l) => l.map((s) => s.id));
      const out = {
        all: await ids(),
        eiffel: await ids('EIFFEL tower'),
        answer: await ids('shakespeare'),
        model: await ids('1.5b'),
        none: await ids('eiffel hamlet'),
        limited: (await store.list({ limit: 2 })).map((s) => s.id),
        got: await store.get('r2'),
        summary: await store.summary('r3'),
      };
      store.close();
      return out;
    }, dbName);
    expect(seen.all).toEqual(['r2', 'r3', 'r1']);
    expect(seen.eiffel).toEqual(['r1']);
    expect(seen.answer).toEqual(['r2']);
    expect(seen.model).toEqual(['r3']);
    expect(seen.none).toEqual([]);
    expect(seen.limited).toEqual(['r2', 'r3']);
    expect(seen.got).toEqual(runs[1]);
    expect(seen.summary).toMatchObject({
      id: 'r3',
      question: 'What is 2 + 2?',
      answer: '4',
      model: 'Qwen2.5-1.5B-q4f16_1-MLC',
      mode: 'agent',
      status: 'answered',
      interrupted: false,
      steps: recorded.steps.length,
    });

    const after = await page.evaluate(async (name) => {
      const store = await window.sap.RunStore.open({ name });
      await store.delete('r2');
      const one = (await store.list()).map((s) => s.id);
      await store.deleteMany(['r1', 'r3']);
      const none = await store.list();
      const gone = await store.get('r1');
      store.close();
      return { one, none, gone: gone ?? null };
    }, dbName);
    expect(after).toEqual({ one: ['r3', 'r1'], none: [], gone: null });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps a partial run across a reload and marks it interrupted; a live run is left alone', async () => {
    const page = await openPage();
    const partial = makeRun('live', 5000, {
      status: 'running',
      answer: null,
      finishedAt: null,
      steps: recorded.steps.slice(0, 1),
    });
    await page.evaluate(
      async ({ name, runJson }) => {
        const run = JSON.parse(runJson) as RunRecord;
        const store = await window.sap.RunStore.open({ name });
        const recorder = store.track(run);
        // The run goes on: one more step arrives and is recorded, then the page dies.
        run.steps.push({ ...run.steps[0], step: 2 } as (typeof run.steps)[number]);
        recorder.update();
        await recorder.flush();
      },
      { name: dbName, runJson: JSON.stringify(partial) },
    );
    // A second page while the first still runs: the run is live, not interrupted.
    const other = await openPage();
    const whileLive = await other.evaluate(async (name) => {
      const store = await window.sap.RunStore.open({ name });
      const s = await store.summary('live');
      store.close();
      return s;
    }, dbName);
    expect(whileLive).toMatchObject({ status: 'running', interrupted: false, steps: 2 });
    await other.close();

    await reload(page);
    const after = await page.evaluate(async (name) => {
      const store = await window.sap.RunStore.open({ name });
      const out = { summary: await store.summary('live'), run: await store.get('live') };
      store.close();
      return { ...out, message: window.sap.INTERRUPTED_MESSAGE };
    }, dbName);
    expect(after.summary).toMatchObject({ status: 'aborted', interrupted: true, steps: 2 });
    expect(after.run?.status).toBe('aborted');
    expect(after.run?.error).toEqual({ code: 'aborted', message: after.message });
    expect(after.run?.steps.map((s) => s.step)).toEqual([1, 2]);
    expect(after.run?.question).toBe(recorded.question);
    await page.close();
  });

  it('export -> import -> export is byte-identical; a bad file is refused and changes nothing', async () => {
    const page = await openPage();
    const runs = [makeRun('a', 1), makeRun('b', 2, { question: 'Another question?' })];
    const out = await page.evaluate(
      async ({ name, runsJson }) => {
        const runs = JSON.parse(runsJson) as RunRecord[];
        const at = new Date('2026-11-24T21:00:00.000Z');
        const first = await window.sap.RunStore.open({ name });
        for (const r of runs) await first.save(r);
        const all = await first.exportRuns(undefined, at);
        const one = await first.exportRuns(['b'], at);
        first.close();
        const second = await window.sap.RunStore.open({ name: `${name}-import` });
        const result = await second.importRuns(all);
        const again = await second.exportRuns(undefined, at);
        const reimport = await second.importRuns(one);
        const refusals: { code: string; message: string }[] = [];
        const damaged = JSON.parse(all) as { runs: { status: string }[] };
        const firstRun = damaged.runs[0];
        if (firstRun) firstRun.status = 'finished';
        for (const text of [
          '{"format":"something-else","version":1}',
          JSON.stringify(damaged),
          'garbage',
        ]) {
          try {
            await second.importRuns(text);
          } catch (err) {
            const e = err as { code: string; message: string };
            refusals.push({ code: e.code, message: e.message });
          }
        }
        const unchanged = await second.exportRuns(undefined, at);
        let missing = '';
        await second.exportRuns(['nope'], at).catch((e: Error) => (missing = e.message));
        second.close();
        return { all, one, again, result, reimport, refusals, unchanged, missing };
      },
      { name: dbName, runsJson: JSON.stringify(runs) },
    );
    expect(out.again).toBe(out.all);
    expect(out.unchanged).toBe(out.all);
    expect(JSON.parse(out.all)).toMatchObject({
      format: 'small-agent-playground/runs',
      version: 1,
      exportedAt: '2026-11-24T21:00:00.000Z',
    });
    expect((JSON.parse(out.one) as { runs: RunRecord[] }).runs).toEqual([runs[1]]);
    expect(out.result).toEqual({ imported: ['a', 'b'], replaced: [] });
    expect(out.reimport).toEqual({ imported: ['b'], replaced: ['b'] });
    expect(out.refusals).toHaveLength(3);
    expect(out.refusals.map((r) => r.code)).toEqual([
      'data_invalid',
      'data_invalid',
      'data_invalid',
    ]);
    expect(out.refusals[0]?.message).toMatch(/its format is "something-else"/);
    expect(out.refusals[1]?.message).toMatch(/file\.runs\[0\]\.status must be one of/);
    expect(out.refusals[2]?.message).toMatch(/it is not JSON/);
    expect(out.missing).toMatch(/No saved run with id nope/);
    await page.close();
  });

  it('a full quota gives quota_exceeded with what to do, and the run in memory is kept', async () => {
    // Chromium's CDP quota override does not reach IndexedDB writes here, so the page's
    // IDBObjectStore.put is made to fail the way a full disk makes it fail, then restored.
    const page = await openPage();
    const run = makeRun('big', 9000);
    const out = await page.evaluate(
      async ({ name, runJson }) => {
        const run = JSON.parse(runJson) as RunRecord;
        const store = await window.sap.RunStore.open({ name });
        const put = IDBObjectStore.prototype.put;
        IDBObjectStore.prototype.put = function () {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
        let direct = null as { code: string; message: string } | null;
        await store.save(run).catch((e: { code: string; message: string }) => {
          direct = { code: e.code, message: e.message };
        });
        const reported: string[] = [];
        const recorder = store.track(run, (e) => reported.push(e.code));
        await recorder.flush();
        run.steps.push({ ...run.steps[0], step: 99 } as (typeof run.steps)[number]);
        recorder.update();
        const whileFull = await recorder.flush();
        const storedWhileFull = await store.get('big');
        // Space is freed: the next update writes the run as it is in memory, nothing lost.
        IDBObjectStore.prototype.put = put;
        const finished = await recorder.finish();
        const stored = await store.get('big');
        store.close();
        return {
          direct,
          reported,
          whileFull: whileFull?.code ?? null,
          storedWhileFull: storedWhileFull ?? null,
          finished,
          storedSteps: stored?.steps.map((s) => s.step) ?? null,
        };
      },
      { name: dbName, runJson: JSON.stringify(run) },
    );
    expect(out.direct).toMatchObject({ code: 'quota_exceeded' });
    expect(out.direct?.message).toMatch(/no room left to save the run.*Delete old runs in History/);
    expect(out.direct?.message).toMatch(/not lost: it can still be exported/);
    expect(out.reported).toEqual(['quota_exceeded', 'quota_exceeded']);
    expect(out.whileFull).toBe('quota_exceeded');
    expect(out.storedWhileFull).toBeNull();
    expect(out.finished).toBeNull();
    expect(out.storedSteps).toEqual([...recorded.steps.map((s) => s.step), 99]);
    await page.close();
  });
});
