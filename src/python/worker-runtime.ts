/**
 * The sandbox runtime, inside a worker (browser Web Worker or Node worker_thread): loads Pyodide,
 * installs the Python driver and serves the host's requests one at a time. Untrusted code only
 * ever runs through the driver's synchronous entry points, never runPythonAsync.
 */
import type { loadPyodide as LoadPyodide, PyodideAPI } from 'pyodide';
import { PlaygroundError } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import { DRIVER_FILES, DRIVER_PACKAGE } from './driver-sources.ts';
import type { RawResult, RuntimeConfig, WorkerInbound, WorkerOutbound } from './protocol.ts';
import { atomicInterruptView } from './interrupt-view.ts';
import { ToolChannelReader } from './tool-channel.ts';

export interface RuntimePort {
  post(message: WorkerOutbound): void;
  onMessage(handler: (message: WorkerInbound) => void): void;
}

type PyCallable = ((...args: unknown[]) => unknown) & { destroy?: () => void };

interface Driver {
  execute: PyCallable;
  run_candidate: PyCallable;
  adopt: PyCallable;
  reset: PyCallable;
  check_syntax: PyCallable;
  wanted_packages: PyCallable;
  loadPackages(names: string[]): Promise<void>;
  lazy: string[];
}

/**
 * `checkIsolation` runs before Pyodide loads: it returns facts about the host's isolation for the
 * 'ready' message, or throws to refuse to start (the Node child fails closed without its
 * permission model).
 */
export function startRuntime(
  port: RuntimePort,
  loadPyodide: typeof LoadPyodide,
  checkIsolation?: () => Promise<Record<string, string>>,
): void {
  let driver: Driver | null = null;
  let interrupt: Int32Array | null = null;
  let queue: Promise<void> = Promise.resolve();

  port.onMessage((msg) => {
    // Messages run strictly in order; execution is synchronous anyway.
    queue = queue.then(() => handle(msg)).catch(() => undefined);
  });

  async function handle(msg: WorkerInbound): Promise<void> {
    if (msg.type === 'init') {
      try {
        const started = performance.now();
        const isolation = checkIsolation ? await checkIsolation() : {};
        interrupt = new Int32Array(msg.interrupt);
        const py = await boot(
          msg.config,
          loadPyodide,
          interrupt,
          new ToolChannelReader(msg.tool),
          port,
        );
        driver = py.driver;
        port.post({
          type: 'ready',
          pythonVersion: py.version,
          startMs: performance.now() - started,
          isolation,
        });
      } catch (err) {
        port.post({
          type: 'start_failed',
          error: PlaygroundError.from(err, 'python_start_failed').toJSON(),
        });
      }
      return;
    }
    if (!driver || !interrupt) {
      port.post({
        type: 'error',
        id: msg.id,
        error: { code: 'python_start_failed', message: 'The Python sandbox is not started.' },
      });
      return;
    }
    const d = driver;
    const flag = interrupt;
    let reply: WorkerOutbound;
    if ((msg.type === 'execute' || msg.type === 'candidate') && d.lazy.length) {
      try {
        const wanted = JSON.parse(
          String(d.wanted_packages(msg.code, JSON.stringify(d.lazy))),
        ) as string[];
        if (wanted.length) await d.loadPackages(wanted);
      } catch {
        // leave it to the import statement to report
      }
    }
    try {
      switch (msg.type) {
        case 'execute':
          reply = { type: 'result', id: msg.id, result: parse(d.execute(msg.code)) };
          break;
        case 'candidate':
          reply = {
            type: 'result',
            id: msg.id,
            result: parse(d.run_candidate(msg.slot, msg.code)),
          };
          break;
        case 'adopt':
          reply = { type: 'done', id: msg.id, ok: d.adopt(msg.slot) === 'ok' };
          break;
        case 'reset':
          reply = { type: 'done', id: msg.id, ok: d.reset() === 'ok' };
          break;
        case 'check_syntax':
          reply = { type: 'done', id: msg.id, ok: d.check_syntax(msg.code) === 'ok' };
          break;
      }
    } catch (err) {
      reply = {
        type: 'error',
        id: msg.id,
        error: PlaygroundError.from(err, 'python_crashed').toJSON(),
      };
    }
    // A late interrupt must not hit the next request. The link clears the flag when it forwards a
    // request, so clearing here (before the reply lets the host move on) is race-free.
    Atomics.store(flag, 0, 0);
    port.post(reply);
  }
}

/**
 * Tools reach the host through a character device: Python writes a JSON request to it and reads
 * the JSON reply back, so it only ever holds a file descriptor and bytes, never a JavaScript
 * function (docs/protocol.md, "Tools").
 */
const TOOL_DEVICE = '/dev/sandbox-tools';

function installToolDevice(py: PyodideAPI, call: (request: string) => string): void {
  const fs = py.FS as unknown as EmscriptenDeviceFS;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let reply: Uint8Array | null = null;
  let cursor = 0;
  const dev = fs.makedev(64, 0);
  fs.registerDevice(dev, {
    open: () => undefined,
    close: () => undefined,
    write(_stream, buffer, offset, length) {
      // One os.write per request (tools.py); the reply is ready before it returns.
      reply = encoder.encode(call(decoder.decode(buffer.subarray(offset, offset + length))));
      cursor = 0;
      return length;
    },
    read(_stream, buffer, offset, length) {
      if (!reply) return 0;
      const n = Math.min(length, reply.length - cursor);
      buffer.set(reply.subarray(cursor, cursor + n), offset);
      cursor += n;
      if (n === 0) reply = null;
      return n;
    },
  });
  fs.mkdev(TOOL_DEVICE, dev);
}

/** The part of Emscripten's FS API that makes a device (not in Pyodide's published types). */
interface EmscriptenDeviceFS {
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: DeviceOps): void;
  mkdev(path: string, dev: number): void;
}

interface DeviceOps {
  open(stream: unknown): void;
  close(stream: unknown): void;
  write(stream: unknown, buffer: Uint8Array, offset: number, length: number): number;
  read(stream: unknown, buffer: Uint8Array, offset: number, length: number): number;
}

function parse(text: unknown): RawResult {
  if (typeof text !== 'string')
    throw new PlaygroundError('internal', 'The driver returned no result.');
  return JSON.parse(text) as RawResult;
}

async function boot(
  config: RuntimeConfig,
  loadPyodide: typeof LoadPyodide,
  interrupt: Int32Array,
  tools: ToolChannelReader,
  port: RuntimePort,
): Promise<{ driver: Driver; version: string }> {
  const py: PyodideAPI = await loadPyodide({
    ...(config.indexURL ? { indexURL: config.indexURL } : {}),
    ...(config.packageCacheDir ? { packageCacheDir: config.packageCacheDir } : {}),
    stdout: () => undefined,
    stderr: () => undefined,
    checkAPIVersion: true,
  });
  py.setInterruptBuffer(atomicInterruptView(interrupt));
  for (const m of config.mounts ?? []) {
    py.FS.mkdirTree(m.mountPath);
    py.mountNodeFS(m.mountPath, m.hostPath);
  }
  if (config.loadPackages?.length) {
    await py.loadPackage(config.loadPackages, {
      messageCallback: () => undefined,
      errorCallback: () => undefined,
    });
  }
  const setup = [
    'import sys, types',
    ...(config.sysPath ?? []).map((p) => `sys.path.append(${JSON.stringify(p)})`),
    ...(config.pycachePrefix
      ? [
          `sys.pycache_prefix = ${JSON.stringify(config.pycachePrefix)}`,
          'sys.dont_write_bytecode = True',
        ]
      : []),
  ].join('\n');
  py.runPython(setup);
  // Real files, so tracebacks and the import system treat the driver like any package.
  const root = '/sandbox-driver';
  py.FS.mkdirTree(`${root}/${DRIVER_PACKAGE}`);
  for (const [name, source] of Object.entries(DRIVER_FILES))
    py.FS.writeFile(`${root}/${DRIVER_PACKAGE}/${name}`, source);
  py.runPython(
    [
      `sys.path.insert(0, ${JSON.stringify(root)})`,
      `import ${DRIVER_PACKAGE}.driver`,
      `sys.path.remove(${JSON.stringify(root)})`,
    ].join('\n'),
  );
  const mod = py.pyimport(`${DRIVER_PACKAGE}.driver`) as unknown as Record<string, PyCallable>;

  let callSeq = 0;
  const bridge = (request: string): string => {
    let name: string;
    let args: Record<string, JsonValue>;
    try {
      const parsed = JSON.parse(request) as { name: string; args: Record<string, JsonValue> };
      name = String(parsed.name);
      args = parsed.args;
    } catch {
      return JSON.stringify({ ok: false, message: 'The tool request could not be read.' });
    }
    const callId = ++callSeq;
    tools.prepare();
    port.post({ type: 'tool_call', callId, name, args });
    const reply = tools.read(() => port.post({ type: 'tool_chunk_ack', callId }));
    if (reply === null) {
      // The host interrupted us while we waited: raise the interrupt in Python right here.
      Atomics.store(interrupt, 0, 0);
      return JSON.stringify({ interrupted: true });
    }
    return reply;
  };
  installToolDevice(py, bridge);
  const get = (name: string): PyCallable => mod[name] as PyCallable;
  get('install')(
    JSON.stringify({
      tools: config.tools,
      recursionLimit: config.recursionLimit ?? 1000,
      pythonPolicy: config.pythonPolicy ?? 'on',
      toolDevice: TOOL_DEVICE,
    }),
  );
  const version = String(py.runPython('import sys; sys.version.split()[0]'));
  // With the policy off (python-policy.ts) model code may reach js: the realm is the only wall.
  if (config.pythonPolicy !== 'off') {
    get('lock')();
    for (const name of ['js', 'pyodide_js']) {
      try {
        py.unregisterJsModule(name);
      } catch {
        // not registered under that name in this Pyodide build
      }
    }
  }
  return {
    driver: {
      execute: get('execute'),
      run_candidate: get('run_candidate'),
      adopt: get('adopt'),
      reset: get('reset'),
      check_syntax: get('check_syntax'),
      wanted_packages: get('wanted_packages'),
      lazy: [...(config.lazyPackages ?? [])],
      loadPackages: async (names) => {
        // Trusted: runs before the user's code; failures surface as ModuleNotFoundError later.
        await py.loadPackage(names, {
          messageCallback: () => undefined,
          errorCallback: () => undefined,
        });
      },
    },
    version,
  };
}
