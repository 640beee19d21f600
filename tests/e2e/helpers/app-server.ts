/**
 * The built app, served on a free 127.0.0.1 port the way `vite preview` serves it, and headless
 * Chromium to look at it. The build runs once per test run: files of one vitest run share it through a directory
 * named after the vitest main process, guarded by an atomic mkdir lock.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { appFiles } from '../../../build/serve/app-files.ts';
import { ISOLATION_HEADERS } from '../../../build/serve/isolation-headers.ts';
import { startStaticServer } from '../../../build/serve/static-server.ts';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type FakeServerOptions,
} from '../../helpers/fake-openai-server.ts';
import { CHROMIUM_ARGS } from './chromium-args.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');

export interface BuiltApp {
  dir: string;
  /** Passages in the index built into it. */
  indexPassages: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', rej);
    p.on('close', (code) =>
      code === 0 ? res(out) : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/** Passages for the e2e index: the shared corpus when AGENT_DATA_DIR has it, else a fixture. */
function corpusInput(workDir: string): { path: string; limit: number } {
  const dataDir = process.env.AGENT_DATA_DIR;
  const shared = dataDir ? resolve(ROOT, dataDir, 'wiki_corpus/passages.jsonl') : null;
  if (shared && existsSync(shared)) return { path: shared, limit: 3000 };
  const fixture = join(workDir, 'passages.jsonl');
  const rows = [
    {
      id: '0',
      title: '...And God Created Them',
      text: '... And God Created Them is a 1979 Puerto Rican comedy film directed by Jacobo Morales. It was screened in the Un Certain Regard section at the 1981 Cannes Film Festival.',
    },
    {
      id: '1',
      title: 'Jacobo Morales',
      text: 'Jacobo Morales (born November 12, 1934) is a Puerto Rican film director, screenwriter, actor and poet.',
    },
    {
      id: '2',
      title: 'Cannes Film Festival',
      text: 'The Cannes Festival is an annual film festival held in Cannes, France, which previews new films of all genres.',
    },
  ];
  writeFileSync(fixture, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { path: fixture, limit: rows.length };
}

/**
 * `vite build` into `dir` (outside dist/, which other work may be using); with `indexDir`, that
 * index is served at /generated/index/ (vite.config.ts reads PLAYGROUND_INDEX_DIR). `env` adds
 * build-time switches such as PLAYGROUND_PYTHON_POLICY.
 */
export async function buildApp(
  dir: string,
  indexDir?: string,
  env: Record<string, string> = {},
): Promise<void> {
  await run(
    process.execPath,
    [VITE, 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'],
    { ...env, ...(indexDir ? { PLAYGROUND_INDEX_DIR: indexDir } : {}) },
  );
}

async function buildInto(dir: string): Promise<BuiltApp> {
  const { buildIndexFromFiles } = await import('../../../src/search/node/index.ts');
  const work = `${dir}-work`;
  mkdirSync(work, { recursive: true });
  const input = corpusInput(work);
  const indexDir = join(work, 'index');
  const manifest = await buildIndexFromFiles({
    inputs: [input.path],
    out: indexDir,
    limit: input.limit,
  });
  await buildApp(dir, indexDir);
  rmSync(work, { recursive: true, force: true });
  return { dir, indexPassages: manifest.counts.passages };
}

/** Builds the app (with a small index) once per vitest run and returns where it is. */
export async function ensureBuilt(): Promise<BuiltApp> {
  const base = join(tmpdir(), 'sap-e2e');
  mkdirSync(base, { recursive: true });
  for (const name of readdirSync(base)) {
    const pid = Number(/^run-(\d+)/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.ppid && !alive(pid))
      rmSync(join(base, name), { recursive: true, force: true });
  }
  const dir = join(base, `run-${process.ppid}`);
  const lock = `${dir}.lock`;
  const done = join(dir, '.built.json');
  for (;;) {
    if (existsSync(done)) {
      return JSON.parse(readFileSync(done, 'utf8')) as BuiltApp;
    }
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      const built = await buildInto(dir);
      writeFileSync(done, JSON.stringify(built));
      return built;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface Preview {
  url: string;
  close(): Promise<void>;
}

/**
 * The built app at `dir` with the repository's models/ folder, served by the handler `vite preview`
 * uses (build/serve/app-files.ts), in this process.
 */
export async function startPreview(dir: string): Promise<Preview> {
  const server = await startStaticServer({
    handlers: [appFiles({ dist: dir, modelsDir: join(ROOT, 'models') })],
    headers: ISOLATION_HEADERS,
  });
  return { url: server.url, close: () => server.close() };
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export { CHROMIUM_ARGS };

export async function launchChromium(extraArgs: string[] = []): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'sap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Console errors and page errors, collected so a test can assert there were none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`);
  });
  return errors;
}

export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The built app in preview, a Chromium page on it, and a scripted model server beside it. */
export interface AppSession {
  preview: Preview;
  chrome: Chromium;
  server: FakeOpenAIServer;
  page: Page;
  /** Console and page errors seen so far on `page`. */
  errors: string[];
  /** Deep links only change the hash; a fresh load makes each test start from a clean page. */
  open(url: string): Promise<void>;
  /** A deep link to `route` that talks to the scripted server. */
  link(route: string, params?: Record<string, string>): string;
  close(): Promise<void>;
}

export async function startAppSession(
  serverOptions: FakeServerOptions = {},
  chromiumArgs: string[] = [],
): Promise<AppSession> {
  const built = await ensureBuilt();
  const model = serverOptions.model ?? 'fake-model';
  const [preview, chrome, server] = await Promise.all([
    startPreview(built.dir),
    launchChromium(chromiumArgs),
    startFakeOpenAIServer({ model, ...serverOptions }),
  ]);
  const page = await chrome.context.newPage();
  return {
    preview,
    chrome,
    server,
    page,
    errors: collectErrors(page),
    async open(url) {
      await page.goto('about:blank');
      await page.goto(url);
    },
    link(route, params = {}) {
      const q = new URLSearchParams({
        engine: 'openai',
        baseUrl: server.baseUrl,
        modelName: model,
        ...params,
      });
      return `${preview.url}#/${route}?${q.toString()}`;
    },
    async close() {
      await chrome.close();
      await preview.close();
      await server.close();
    },
  };
}
