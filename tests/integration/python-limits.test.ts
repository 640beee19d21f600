/**
 * Resource limits end as error observations within the limit, and the next step still works.
 * Uses a 1 s limit to keep the file fast. The grace period is long (5 s) so that on a loaded
 * machine an interrupt that lands late is still told apart from one that never lands: whether the
 * state survived is the behaviour under test, not how fast.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNodeSandbox,
  createNodeSandboxHost,
  permissionFlags,
} from '../../src/python/node-sandbox.ts';
import { planWalls, SANDBOX_UID } from '../../src/python/node-wall.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';

const LIMIT = 1000;
const GRACE = 5000;
let sb: PythonSandbox;
let slowToolRelease: (() => void) | null = null;
let slowToolSignal: AbortSignal | undefined;

beforeAll(async () => {
  sb = createNodeSandbox({
    timeoutMs: LIMIT,
    interruptGraceMs: GRACE,
    tools: [
      {
        name: 'slow',
        params: [],
        call: (_args, signal) =>
          new Promise((resolve) => {
            slowToolSignal = signal;
            slowToolRelease = () => resolve({ text: 'late' });
          }),
      },
    ],
  });
  await sb.start();
});
afterAll(async () => {
  await sb.dispose();
});

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

describe('limits', () => {
  it('interrupts an infinite loop and keeps the state', async () => {
    await sb.execute('kept = 1');
    const [r, ms] = await timed(() => sb.execute('print("start")\nwhile True:\n    pass'));
    expect(ms).toBeLessThan(LIMIT + GRACE);
    expect(r.status).toBe('error');
    expect(r.logs).toBe('start\n');
    expect(r.stateLost).toBe(false);
    expect(r.error).toEqual({
      kind: 'timeout',
      type: 'TimeoutError',
      message:
        "Code execution failed at line 'while True:\n    pass' due to: TimeoutError: the code ran longer than the time limit of 1 second and was stopped.",
    });
    expect((await sb.execute('kept + 1')).output).toBe('2');
  });

  it('honours a per-call time limit', async () => {
    // The limit that stopped it is the call's, not the sandbox's. Not timed: on a starved CI
    // machine the interrupt may land after the grace period and the sandbox restarts instead.
    const r = await sb.execute('while True:\n    pass', { timeoutMs: 300 });
    expect(r.error?.kind).toBe('timeout');
    expect(r.error?.message).toContain('the time limit of 0.3 seconds');
  });

  it('restarts the interpreter when time.sleep cannot be interrupted, and says the state is lost', async () => {
    await sb.execute('kept = 1');
    const [r, ms] = await timed(() => sb.execute('import time\ntime.sleep(100)'));
    expect(ms).toBeLessThan(LIMIT + GRACE + 2000);
    expect(r.status).toBe('error');
    expect(r.stateLost).toBe(true);
    expect(r.error?.kind).toBe('timeout');
    expect(r.error?.message).toContain('time limit of 1 second');
    expect(r.error?.message).toContain(
      'the Python interpreter was restarted. All variables and imports from earlier steps are lost.',
    );
    const next = await sb.execute('print("alive")\nkept');
    expect(next.logs).toBe('alive\n');
    expect(next.error?.message).toContain('The variable `kept` is not defined.');
  }, 30_000);

  it('restarts when the code swallows the interrupt', async () => {
    const r = await sb.execute(
      'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass',
    );
    expect(r.stateLost).toBe(true);
    expect((await sb.execute('1 + 1')).output).toBe('2');
  }, 30_000);

  it('turns a memory bomb into an error', async () => {
    const r = await sb.execute("s = 'a' * 10**10");
    expect(r.status).toBe('error');
    expect(r.error?.type).toMatch(/MemoryError|OverflowError/);
    const r2 = await sb.execute('b = bytearray(2**31 - 1)');
    expect(r2.status).toBe('error');
    expect(r2.error?.type).toBe('MemoryError');
    expect((await sb.execute('1 + 1')).output).toBe('2');
  });

  it('turns deep recursion into a RecursionError', async () => {
    const r = await sb.execute('def f(n):\n    return f(n + 1)\nf(0)');
    expect(r.error?.message).toBe(
      "Code execution failed at line 'f(0)' due to: RecursionError: maximum recursion depth exceeded",
    );
    expect((await sb.execute('sorted([3, 1, 2])')).output).toBe('[1, 2, 3]');
    const viaC = await sb.execute(
      'class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())',
    );
    expect(viaC.error?.message).toBe(
      "Code execution failed at line 'repr(A())' due to: RecursionError: maximum recursion depth exceeded",
    );
    expect(viaC.stateLost).toBe(false);
  });

  it('truncates a 10 MB print', async () => {
    const r = await sb.execute('print("y" * 10_000_000)\n"done"');
    expect(r.logs.length).toBe(
      50_000 + '\n..._This content has been truncated to stay below 50000 characters_...\n'.length,
    );
    expect(r.output).toBe('done');
  });

  it('interrupts a step blocked in a tool call', async () => {
    const [r, ms] = await timed(() => sb.execute('x = slow()'));
    expect(ms).toBeLessThan(LIMIT + GRACE);
    expect(r.error?.kind).toBe('timeout');
    expect(r.stateLost).toBe(false);
    expect(slowToolSignal?.aborted).toBe(true);
    slowToolRelease?.();
    expect((await sb.execute('"ok"')).output).toBe('ok');
  });

  it('stops on an AbortSignal and rejects with aborted', async () => {
    await sb.execute('kept = 3');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const [err, ms] = await timed(() =>
      sb
        .execute('while True:\n    pass', { timeoutMs: 10_000, signal: ac.signal })
        .catch((e: unknown) => e),
    );
    expect(err).toMatchObject({ code: 'aborted' });
    expect(ms).toBeLessThan(200 + GRACE);
    expect((await sb.execute('kept')).output).toBe('3');
  });

  it('treats a candidate that hangs as one error result', async () => {
    await sb.execute('base = [1]');
    const results = await sb.executeCandidates([
      'base.append(2)\nbase',
      'while True:\n    pass',
      'len(base)',
    ]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'error', 'ok']);
    expect(results[1]?.error?.kind).toBe('timeout');
    expect(results[2]?.output).toBe('1');
    await sb.adoptCandidate(0);
    expect((await sb.execute('base')).output).toBe('[1, 2]');
  });
});

describe('the memory limit of the sandbox child', () => {
  it('stops a step that keeps allocating as a MemoryError, restarts, and goes on', async () => {
    const capped = createNodeSandbox({ memoryLimitMb: 600, timeoutMs: 60_000 });
    try {
      await capped.start();
      await capped.execute('kept = 1');
      const r = await capped.execute(
        'chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))',
      );
      expect(r.status).toBe('error');
      expect(r.stateLost).toBe(true);
      expect(r.error).toEqual({
        kind: 'crash',
        type: 'MemoryError',
        message:
          'Code execution failed due to: MemoryError: the code used more than 600 MB of memory, so the Python interpreter was restarted. All variables and imports from earlier steps are lost.',
      });
      // Well before the time limit: the cap, not the clock, ended it.
      expect(r.durationMs).toBeLessThan(30_000);
      expect((await capped.execute('1 + 1')).output).toBe('2');
      // Below the cap, a big allocation is fine.
      const ok = await capped.execute('len(bytearray(10**8))');
      expect(ok.output).toBe('100000000');
    } finally {
      await capped.dispose();
    }
  }, 90_000);
});

describe('the Node permission model of the sandbox child', () => {
  it('is in force inside the real sandbox child (it probes itself before loading Pyodide)', async () => {
    const host = createNodeSandboxHost();
    try {
      await host.start();
      expect(host.isolation).toMatchObject({
        fsWrite: 'ERR_ACCESS_DENIED',
        childProcess: 'ERR_ACCESS_DENIED',
        fsReadOutside: 'ERR_ACCESS_DENIED',
      });
      // The namespace walls, where this machine has them (node-wall.ts; `playground doctor`).
      const walls = planWalls([]).walls;
      const active = (id: string): boolean =>
        walls.some((w) => w.id === id && w.state === 'active');
      if (active('network')) expect(host.isolation.network).toBe('ENETUNREACH');
      if (active('signals')) expect(host.isolation.pidNamespace).toBe('own');
      if (active('user')) expect(host.isolation.uid).toBe(String(SANDBOX_UID));
      expect(host.isolation.jsCapabilities).toMatch(/^\d+ removed$/);
    } finally {
      await host.dispose();
    }
  });

  it('blocks child processes, file writes and reads outside the allowed paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-perm-'));
    const script = join(dir, 'probe.mjs');
    writeFileSync(
      script,
      `import fs from 'node:fs';
const out = {};
try { (await import('node:child_process')).execSync('true'); out.spawn = 'allowed'; } catch (e) { out.spawn = e.code; }
try { fs.writeFileSync(${JSON.stringify(join(dir, 'written'))}, 'x'); out.write = 'allowed'; } catch (e) { out.write = e.code; }
try { fs.readFileSync('/etc/hostname'); out.read = 'allowed'; } catch (e) { out.read = e.code; }
try { fs.readFileSync(${JSON.stringify(script)}); out.own = 'allowed'; } catch (e) { out.own = e.code; }
console.log(JSON.stringify(out));`,
    );
    const run = spawnSync(process.execPath, [...permissionFlags([dir]), script], {
      encoding: 'utf8',
    });
    expect(JSON.parse(run.stdout.trim())).toEqual({
      spawn: 'ERR_ACCESS_DENIED',
      write: 'ERR_ACCESS_DENIED',
      read: 'ERR_ACCESS_DENIED',
      own: 'allowed',
    });
  });
});
