/**
 * `playground setup` against a local HTTP server standing in for the Pyodide CDN and the HotpotQA
 * source: a lock file of small fake wheels, real downloads, checksums, offline messages, and the
 * default index built through the real index builder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

interface Served {
  body: Buffer;
}

let server: Server;
let base = '';
/** A port nothing listens on: the server is down. */
let dead = '';
let work = '';
const files = new Map<string, Served>();
const requests: string[] = [];

function startServer(): Promise<void> {
  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(path);
    const f = files.get(path);
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Length': String(f.body.byteLength) }).end(f.body);
  });
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      res();
    }),
  );
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  // --if-missing remembers what it reported; keep that out of the repository's .cache/.
  const notice = { PLAYGROUND_SETUP_NOTICE_FILE: join(work, 'setup-notice.json') };
  const merged = Object.fromEntries(
    Object.entries({ ...process.env, ...notice, ...env }).filter(([, v]) => v !== undefined),
  );
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/playground.js'), 'setup', ...args], {
      cwd: ROOT,
      env: merged,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

// numpy, sympy -> mpmath -> fake-gmpy: the dependency of a dependency must come too.
const wheels: Record<string, { file: string; body: Buffer; depends: string[] }> = {
  numpy: {
    file: 'numpy-9.9-fake.whl',
    body: Buffer.from('numpy wheel bytes '.repeat(500)),
    depends: [],
  },
  sympy: {
    file: 'sympy-9.9-fake.whl',
    body: Buffer.from('sympy wheel bytes '.repeat(300)),
    depends: ['mpmath'],
  },
  mpmath: {
    file: 'mpmath-9.9-fake.whl',
    body: Buffer.from('mpmath wheel'),
    depends: ['fake-gmpy'],
  },
  'fake-gmpy': { file: 'fake_gmpy-1.0.whl', body: Buffer.from('gmpy'), depends: [] },
  unrelated: { file: 'unrelated-1.0.whl', body: Buffer.from('never fetched'), depends: [] },
};

let lockFile = '';
let wheelDir = '';

function pyodideArgs(): string[] {
  return ['--pyodide-packages', '--pyodide-dir', wheelDir, '--pyodide-base-url', `${base}/cdn/`];
}

function serveWheels(): void {
  for (const w of Object.values(wheels)) files.set(`/cdn/${w.file}`, { body: w.body });
}

async function deadBase(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

beforeAll(async () => {
  await startServer();
  dead = await deadBase();
  work = await mkdtemp(join(tmpdir(), 'sap-setup-'));
  lockFile = join(work, 'pyodide-lock.json');
  const packages = Object.fromEntries(
    Object.entries(wheels).map(([name, w]) => [
      name,
      { name, file_name: w.file, sha256: sha(w.body), depends: w.depends },
    ]),
  );
  writeFileSync(lockFile, JSON.stringify({ info: {}, packages }));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  files.clear();
  requests.length = 0;
});

const wheelEnv = (): Record<string, string> => ({ PLAYGROUND_PYODIDE_LOCK: lockFile });

describe('setup --pyodide-packages', () => {
  beforeEach(() => {
    wheelDir = join(work, `wheels-${Math.random().toString(36).slice(2)}`);
  });

  it('downloads the wanted wheels and their dependencies, verified, and nothing else', async () => {
    serveWheels();
    const r = await cli(pyodideArgs(), wheelEnv());
    expect(r.stderr).not.toContain('playground:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 downloaded, 0 already present');
    for (const name of ['numpy', 'sympy', 'mpmath', 'fake-gmpy']) {
      const w = wheels[name];
      if (!w) throw new Error(name);
      expect(readFileSync(join(wheelDir, w.file))).toEqual(w.body);
    }
    expect(readdirSync(wheelDir).sort()).toEqual([
      'fake_gmpy-1.0.whl',
      'mpmath-9.9-fake.whl',
      'numpy-9.9-fake.whl',
      'sympy-9.9-fake.whl',
    ]);
    expect(requests).not.toContain('/cdn/unrelated-1.0.whl');
  });

  it('is idempotent: a second run fetches nothing, and --if-missing says nothing', async () => {
    serveWheels();
    expect((await cli(pyodideArgs(), wheelEnv())).code).toBe(0);
    requests.length = 0;
    const again = await cli(pyodideArgs(), wheelEnv());
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 downloaded, 4 already present');
    expect(requests).toEqual([]);
    const quiet = await cli([...pyodideArgs(), '--if-missing'], wheelEnv());
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(requests).toEqual([]);
  });

  it('replaces a wheel on disk whose checksum is wrong', async () => {
    serveWheels();
    expect((await cli(pyodideArgs(), wheelEnv())).code).toBe(0);
    writeFileSync(join(wheelDir, 'numpy-9.9-fake.whl'), 'truncated');
    requests.length = 0;
    const r = await cli([...pyodideArgs(), '--if-missing'], wheelEnv());
    expect(r.code).toBe(0);
    expect(requests).toEqual(['/cdn/numpy-9.9-fake.whl']);
    expect(readFileSync(join(wheelDir, 'numpy-9.9-fake.whl'))).toEqual(wheels.numpy?.body);
  });

  it('removes and reports a download whose checksum does not match', async () => {
    serveWheels();
    files.set('/cdn/sympy-9.9-fake.whl', { body: Buffer.from('tampered sympy') });
    const r = await cli(pyodideArgs(), wheelEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /sympy-9\.9-fake\.whl.*\n.*\n.*corrupt download removed: checksum mismatch/,
    );
    expect(existsSync(join(wheelDir, 'sympy-9.9-fake.whl'))).toBe(false);
    expect(readdirSync(wheelDir).filter((f) => f.endsWith('.part'))).toEqual([]);
    // The good ones are kept, so the next run only needs the bad one.
    expect(existsSync(join(wheelDir, 'numpy-9.9-fake.whl'))).toBe(true);
  });

  it('offline: names every missing wheel, where it comes from and how to get it, exit 1', async () => {
    const r = await cli(
      ['--pyodide-packages', '--pyodide-dir', wheelDir, '--pyodide-base-url', `${dead}/cdn/`],
      wheelEnv(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`4 wheel(s) missing from ${wheelDir}`);
    for (const f of [
      'numpy-9.9-fake.whl',
      'sympy-9.9-fake.whl',
      'mpmath-9.9-fake.whl',
      'fake_gmpy-1.0.whl',
    ])
      expect(r.stderr).toContain(`from ${dead}/cdn/${f}`);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('playground setup --pyodide-packages');
    expect(existsSync(wheelDir)).toBe(false);
  });

  it("resolves Pyodide's real lock: numpy, sympy, mpmath of the pinned version from the CDN path", async () => {
    const r = await cli(
      ['--pyodide-packages', '--pyodide-dir', wheelDir, '--pyodide-base-url', `${base}/v/full/`],
      { PLAYGROUND_PYODIDE_LOCK: undefined },
    );
    expect(r.code).toBe(1);
    const lock = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/pyodide/pyodide-lock.json'), 'utf8'),
    ) as { packages: Record<string, { file_name: string }> };
    expect(requests.sort()).toEqual(
      ['mpmath', 'numpy', 'sympy']
        .map((p) => `/v/full/${lock.packages[p]?.file_name ?? '?'}`)
        .sort(),
    );
  });
});

const passages = [
  { id: 'p1', title: 'Jacobo Morales', text: 'Jacobo Morales is a Puerto Rican film director.' },
  {
    id: 'p2',
    title: 'Cannes Film Festival',
    text: 'The Cannes Festival is an annual film festival.',
  },
  { id: 'p3', title: 'Puerto Rico', text: 'Puerto Rico is a Caribbean island.' },
];

// The HotpotQA dev distractor layout: [title, [sentences]] context paragraphs per question.
const hotpot = [
  {
    _id: 'q1',
    question: 'Who directed ...And God Created Them?',
    answer: 'Jacobo Morales',
    context: [
      [
        '...And God Created Them',
        ['... And God Created Them is a 1979 film', ' by Jacobo Morales.'],
      ],
      ['Jacobo Morales', ['Jacobo Morales is a Puerto Rican film director.']],
    ],
  },
  {
    _id: 'q2',
    question: 'Where is Cannes?',
    answer: 'France',
    context: [['Cannes', ['Cannes is a city in France.']]],
  },
];

function manifestPassages(dir: string): number {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    counts: { passages: number };
  };
  return m.counts.passages;
}

describe('setup --index', () => {
  let out = '';
  let cache = '';
  // A data directory without a corpus: the download path, whatever ../shared/data holds.
  const noData = (): string => join(cache, 'no-data');
  const env = (): Record<string, string | undefined> => ({
    AGENT_DATA_DIR: noData(),
    PLAYGROUND_SETUP_CACHE_DIR: cache,
  });
  beforeEach(() => {
    const id = Math.random().toString(36).slice(2);
    out = join(work, `index-${id}`);
    cache = join(work, `cache-${id}`);
  });

  it('builds from --from (a file or a folder) and --if-missing then does nothing', async () => {
    const dir = join(work, `from-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'passages.jsonl'), passages.map((p) => JSON.stringify(p)).join('\n'));
    const r = await cli(['--index', '--index-out', out, '--from', dir], env());
    expect(r.stderr).not.toContain('playground:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`default index: 3 passages in ${out}`);
    expect(manifestPassages(out)).toBe(3);
    const quiet = await cli(['--index', '--index-out', out, '--if-missing', '--from', dir], env());
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
    const file = await cli(
      ['--index', '--index-out', `${out}-file`, '--from', join(dir, 'passages.jsonl')],
      env(),
    );
    expect(file.code).toBe(0);
    expect(manifestPassages(`${out}-file`)).toBe(3);
  });

  it('uses $AGENT_DATA_DIR/wiki_corpus/passages.jsonl before any download', async () => {
    const data = join(work, `data-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(data, 'wiki_corpus'), { recursive: true });
    writeFileSync(
      join(data, 'wiki_corpus/passages.jsonl'),
      passages
        .slice(0, 2)
        .map((p) => JSON.stringify(p))
        .join('\n'),
    );
    const r = await cli(
      ['--index', '--index-out', out, '--index-source-url', `${base}/hotpot.json`],
      {
        ...env(),
        AGENT_DATA_DIR: data,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(join(data, 'wiki_corpus/passages.jsonl'));
    expect(manifestPassages(out)).toBe(2);
    expect(requests).toEqual([]);
  });

  it('downloads the HotpotQA dev distractor file when there is no local source', async () => {
    files.set('/hotpot.json', { body: Buffer.from(JSON.stringify(hotpot)) });
    const r = await cli(
      ['--index', '--index-out', out, '--index-source-url', `${base}/hotpot.json`],
      env(),
    );
    expect(r.stderr).not.toContain('playground:');
    expect(r.code).toBe(0);
    expect(manifestPassages(out)).toBe(3);
    expect(existsSync(join(cache, 'hotpot.json'))).toBe(true);
    // A rebuild reuses the downloaded copy.
    requests.length = 0;
    expect(
      (
        await cli(
          ['--index', '--index-out', out, '--index-source-url', `${base}/hotpot.json`],
          env(),
        )
      ).code,
    ).toBe(0);
    expect(requests).toEqual([]);
  });

  it('a downloaded source that is not a corpus is removed and reported', async () => {
    files.set('/hotpot.json', { body: Buffer.from('<html>captive portal</html>') });
    const r = await cli(
      ['--index', '--index-out', out, '--index-source-url', `${base}/hotpot.json`],
      env(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not give a usable corpus');
    expect(existsSync(join(cache, 'hotpot.json'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('offline without local data: says what is missing and how to fix it, exit 1', async () => {
    const r = await cli(
      ['--index', '--index-out', out, '--index-source-url', `${dead}/hotpot.json`],
      env(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Default search index: missing (${join(out, 'manifest.json')}`);
    expect(r.stderr).toContain(`${join(noData(), 'wiki_corpus/passages.jsonl')} not found`);
    expect(r.stderr).toContain(`could not be downloaded: ${dead}/hotpot.json`);
    expect(r.stderr).toContain('playground setup --index --from');
  });

  it('plain `setup` does every app part (not --data), and one failing part does not stop the other', async () => {
    const dir = join(work, `plain-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'p.jsonl'), passages.map((p) => JSON.stringify(p)).join('\n'));
    wheelDir = join(work, `wheels-plain-${Math.random().toString(36).slice(2)}`);
    const r = await cli(
      [
        '--pyodide-dir',
        wheelDir,
        '--pyodide-base-url',
        `${dead}/`,
        '--index-out',
        out,
        '--from',
        dir,
      ],
      { ...env(), ...wheelEnv(), PLAYGROUND_DATA_BASE_URL: `${dead}/` },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('4 wheel(s) missing');
    expect(manifestPassages(out)).toBe(3);
    expect(r.stdout + r.stderr).not.toContain('benchmark');
  });
});
