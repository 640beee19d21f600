import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { haveSharedInputs } from '../helpers/shared-inputs.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { BENCHMARKS } from '../../src/eval/benchmarks.ts';
import { fetchPaperData, paperDataFiles, type DataFile } from '../../src/eval/node/fetch-data.ts';
import { resolveDataDir } from '../../src/eval/node/load-benchmark.ts';

/** A stand-in for raw.githubusercontent.com: serves `files` by path and counts requests. */
async function startRawServer(
  files: Record<string, Buffer>,
): Promise<{ base: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/repo\//, '');
    hits.push(path);
    const body = files[path];
    if (!body) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Length': body.byteLength, 'Content-Type': 'text/plain' });
    // Two chunks, as a real download arrives.
    res.write(body.subarray(0, Math.floor(body.byteLength / 2)));
    setTimeout(() => res.end(body.subarray(Math.floor(body.byteLength / 2))), 5);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/repo`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('setup --data', () => {
  it('names the eight paper files under the reference repository', () => {
    const files = paperDataFiles('https://example.test/raw/');
    expect(files).toHaveLength(8);
    expect(files.map((f) => f.url)).toContain(
      'https://example.test/raw/data_processor/math_dataset/test/olymath_200_20250511.json',
    );
    expect(files.every((f) => f.sha256?.length === 64)).toBe(true);
  });

  it('downloads, verifies, reports progress, and skips what is already there', async () => {
    const a = Buffer.from('{"metadata":{},"examples":[{"id":1,"question":"q","answer":"1"}]}');
    const b = Buffer.from('{"metadata":{},"examples":[{"id":2,"question":"r","answer":"x"}]}');
    const server = await startRawServer({ 'data/a.json': a, 'data/b.json': b });
    close = server.close;
    const dataDir = mkdtempSync(join(tmpdir(), 'eval-setup-'));
    const files: DataFile[] = [
      {
        benchmark: 'a',
        path: 'a/a.json',
        url: `${server.base}/data/a.json`,
        sha256: sha(a),
        size: a.byteLength,
      },
      {
        benchmark: 'b',
        path: 'b/b.json',
        url: `${server.base}/data/b.json`,
        sha256: sha(b),
        size: b.byteLength,
      },
    ];
    const states: string[] = [];
    const first = await fetchPaperData({
      dataDir,
      files,
      onProgress: (p) => states.push(`${p.file.benchmark}:${p.state}`),
    });
    expect(first).toEqual({ downloaded: ['a/a.json', 'b/b.json'], skipped: [] });
    expect(readFileSync(join(dataDir, 'a/a.json'))).toEqual(a);
    expect(states).toContain('a:downloading');
    expect(states).toContain('b:done');

    // A damaged file is fetched again; an intact one is not.
    writeFileSync(join(dataDir, 'b/b.json'), 'truncated');
    const second = await fetchPaperData({ dataDir, files });
    expect(second).toEqual({ downloaded: ['b/b.json'], skipped: ['a/a.json'] });
    expect(server.hits.filter((h) => h === 'data/a.json')).toHaveLength(1);
  });

  it('rejects a download whose checksum is wrong and leaves no file behind', async () => {
    const server = await startRawServer({ 'x.json': Buffer.from('tampered') });
    close = server.close;
    const dataDir = mkdtempSync(join(tmpdir(), 'eval-setup-'));
    const files: DataFile[] = [
      {
        benchmark: 'x',
        path: 'x/x.json',
        url: `${server.base}/x.json`,
        sha256: sha(Buffer.from('real')),
      },
    ];
    const err = await fetchPaperData({ dataDir, files }).catch((e: unknown) => e);
    expect((err as PlaygroundError).code).toBe('download_failed');
    expect((err as Error).message).toContain('do not match the expected checksum');
    expect(existsSync(join(dataDir, 'x/x.json'))).toBe(false);
  });

  it('offline: says exactly which files are missing and where to put them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eval-setup-'));
    // A port nobody listens on any more: connections are refused, as on a machine offline.
    const probe = await startRawServer({});
    await probe.close();
    const base = probe.base.replace('/repo', '/raw');
    const { code, stderr } = await runCli([
      'setup',
      '--data',
      '--data-dir',
      dataDir,
      '--data-base-url',
      base,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('Could not download 8 benchmark file(s)');
    expect(stderr).toContain('ECONNREFUSED');
    for (const b of BENCHMARKS.filter((x) => x.paper)) {
      expect(stderr).toContain(join(dataDir, b.file));
      expect(stderr).toContain(`${base}/${b.remotePath ?? ''}`);
    }
  });

  const realDir = resolveDataDir();
  const haveReal = haveSharedInputs(
    'Fetching the real eight files from a local mirror',
    BENCHMARKS.filter((b) => b.paper).map((b) => join(realDir, b.file)),
  );

  it.skipIf(!haveReal)(
    'the CLI fetches the real eight files from a local mirror, then finds them intact',
    async () => {
      const served: Record<string, Buffer> = {};
      for (const b of BENCHMARKS)
        if (b.remotePath) served[b.remotePath] = readFileSync(join(realDir, b.file));
      const server = await startRawServer(served);
      close = server.close;
      const dataDir = mkdtempSync(join(tmpdir(), 'eval-setup-'));
      mkdirSync(dataDir, { recursive: true });
      const run1 = await runCli([
        'setup',
        '--data',
        '--data-dir',
        dataDir,
        '--data-base-url',
        server.base,
      ]);
      expect(run1.code).toBe(0);
      expect(run1.stdout).toContain('8 downloaded, 0 already present');
      const run2 = await runCli([
        'setup',
        '--data',
        '--data-dir',
        dataDir,
        '--data-base-url',
        server.base,
      ]);
      expect(run2.stdout).toContain('0 downloaded, 8 already present');
      expect(server.hits).toHaveLength(8);
    },
  );
});
