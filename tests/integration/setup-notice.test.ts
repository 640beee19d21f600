/**
 * `npm start` runs `playground setup --if-missing` on every start: offline, the missing-package
 * block is printed once, then one line while nothing changed; once fixed, a new gap is news again.
 * A real local server stands in for the Pyodide CDN, a closed port for being offline.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const WHEEL = Buffer.from('numpy wheel bytes '.repeat(100));
const FILE = 'numpy-9.9-fake.whl';
// The other packages the app wants, already in place: only numpy is missing.
const PRESENT = { sympy: Buffer.from('sympy'), mpmath: Buffer.from('mpmath') };

let server: Server;
let live = '';
let dead = '';
let work = '';

function listen(s: Server): Promise<string> {
  return new Promise((res) =>
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      res(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    }),
  );
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === `/cdn/${FILE}`) res.writeHead(200).end(WHEEL);
    else res.writeHead(404).end();
  });
  live = await listen(server);
  const closed = createServer();
  dead = await listen(closed);
  await new Promise((r) => closed.close(r));
  work = await mkdtemp(join(tmpdir(), 'sap-notice-'));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  mkdirSync(join(work, 'wheels'));
  const packages: Record<string, unknown> = {
    numpy: { name: 'numpy', file_name: FILE, sha256: sha(WHEEL), depends: [] },
  };
  for (const [name, body] of Object.entries(PRESENT)) {
    writeFileSync(join(work, 'wheels', `${name}.whl`), body);
    packages[name] = { name, file_name: `${name}.whl`, sha256: sha(body), depends: [] };
  }
  writeFileSync(join(work, 'lock.json'), JSON.stringify({ info: {}, packages }));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
});

function start(base: string): Promise<{ code: number | null; stderr: string }> {
  const args = [
    join(ROOT, 'bin/playground.js'),
    'setup',
    '--if-missing',
    '--pyodide-packages',
    '--pyodide-dir',
    join(work, 'wheels'),
    '--pyodide-base-url',
    `${base}/cdn/`,
  ];
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        PLAYGROUND_PYODIDE_LOCK: join(work, 'lock.json'),
        PLAYGROUND_SETUP_NOTICE_FILE: join(work, 'notice.json'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', rej);
    p.on('close', (code) => res({ code, stderr }));
  });
}

describe('setup --if-missing on every start', () => {
  it('prints the missing-package block once, then one line, and again after a fix breaks', async () => {
    const first = await start(dead);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('1 wheel(s) missing');
    expect(first.stderr).toContain(`${dead}/cdn/${FILE}`);

    for (let i = 0; i < 2; i++) {
      const again = await start(dead);
      expect(again.code).toBe(0);
      expect(again.stderr.trim().split('\n')).toHaveLength(1);
      expect(again.stderr).toContain('still missing');
      expect(again.stderr).toContain('1 wheel(s) missing');
      expect(again.stderr).not.toContain(`${dead}/cdn/${FILE}`);
    }

    // Online: fetched, and the remembered report is dropped.
    const fixed = await start(live);
    expect(fixed.code).toBe(0);
    expect(existsSync(join(work, 'wheels', FILE))).toBe(true);
    expect(existsSync(join(work, 'notice.json'))).toBe(false);

    // Missing again later: that is news, so the full block comes back.
    rmSync(join(work, 'wheels', FILE));
    const news = await start(dead);
    expect(news.code).toBe(1);
    expect(news.stderr).toContain(`${dead}/cdn/${FILE}`);
  });
});
