/** The generic host against a scripted transport: timeouts, restarts, crashes, tools, abort. */
import { describe, expect, it } from 'vitest';
import { SandboxHost } from '../../src/python/host.ts';
import type { HostMessage, RawResult } from '../../src/python/protocol.ts';
import type { SandboxTransport, TransportEvents } from '../../src/python/transport.ts';

type Behaviour = (msg: HostMessage, rt: FakeRuntime) => void;

class FakeRuntime implements SandboxTransport {
  readonly received: HostMessage[] = [];
  terminated = false;
  constructor(
    readonly events: TransportEvents,
    private readonly behave: Behaviour,
  ) {}
  send(msg: HostMessage): void {
    this.received.push(msg);
    if (msg.type === 'init') {
      queueMicrotask(() =>
        this.events.onMessage({ type: 'ready', pythonVersion: '3.14.2', startMs: 1 }),
      );
      return;
    }
    this.behave(msg, this);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(id: number, result: Partial<RawResult>): void {
    queueMicrotask(() =>
      this.events.onMessage({
        type: 'result',
        id,
        result: { status: 'ok', logs: '', output: 'None', durationMs: 1, ...result },
      }),
    );
  }
}

function host(
  behave: Behaviour,
  opts: ConstructorParameters<typeof SandboxHost>[1] = {},
): { sb: SandboxHost; runtimes: FakeRuntime[] } {
  const runtimes: FakeRuntime[] = [];
  const sb = new SandboxHost((events) => {
    const rt = new FakeRuntime(events, behave);
    runtimes.push(rt);
    return rt;
  }, opts);
  return { sb, runtimes };
}

describe('SandboxHost', () => {
  it('passes results through and sends the tools to the runtime', async () => {
    const { sb, runtimes } = host(
      (m, rt) => {
        if (m.type === 'execute') rt.reply(m.id, { logs: 'hi\n', output: '2' });
      },
      { tools: [{ name: 'web_search', params: ['query'], call: async () => ({ text: '' }) }] },
    );
    const r = await sb.execute('1 + 1');
    expect(r).toMatchObject({
      status: 'ok',
      logs: 'hi\n',
      output: '2',
      stateLost: false,
      toolCalls: [],
    });
    expect(runtimes[0]?.received[0]).toEqual({
      type: 'init',
      config: { tools: [{ name: 'web_search', params: ['query'] }] },
    });
  });

  it('interrupts on timeout and reports a timeout observation when the runtime answers', async () => {
    const { sb, runtimes } = host(
      (m, rt) => {
        if (m.type === 'interrupt') {
          const exec = rt.received.find((x) => x.type === 'execute');
          if (exec?.type === 'execute')
            rt.reply(exec.id, {
              status: 'error',
              logs: 'a\n',
              error: {
                kind: 'timeout',
                type: 'KeyboardInterrupt',
                message: '',
                line: 'while True: pass',
              },
            });
        }
      },
      { timeoutMs: 50 },
    );
    const r = await sb.execute('while True: pass');
    expect(runtimes[0]?.received.map((m) => m.type)).toEqual(['init', 'execute', 'interrupt']);
    expect(r.error).toEqual({
      kind: 'timeout',
      type: 'TimeoutError',
      message:
        "Code execution failed at line 'while True: pass' due to: TimeoutError: the code ran longer than the time limit of 0.05 seconds and was stopped.",
    });
    expect(r.logs).toBe('a\n');
    expect(r.stateLost).toBe(false);
  });

  it('terminates and restarts a runtime that ignores the interrupt', async () => {
    const { sb, runtimes } = host(
      (m, rt) => {
        if (m.type === 'execute' && runtimes.indexOf(rt) > 0) rt.reply(m.id, { output: 'fresh' });
      },
      { timeoutMs: 30, interruptGraceMs: 30 },
    );
    const r = await sb.execute('import time\ntime.sleep(100)');
    expect(r.stateLost).toBe(true);
    expect(r.error?.message).toContain(
      'restarted. All variables and imports from earlier steps are lost.',
    );
    expect(runtimes[0]?.terminated).toBe(true);
    expect((await sb.execute('1')).output).toBe('fresh');
    expect(runtimes).toHaveLength(2);
  });

  it('reports a crash as an error with state lost, and a crash while idle on the next result', async () => {
    const { sb, runtimes } = host((m, rt) => {
      if (m.type !== 'execute') return;
      if (runtimes.indexOf(rt) === 0) queueMicrotask(() => rt.events.onExit('exit 70'));
      else rt.reply(m.id, {});
    });
    const r = await sb.execute('boom');
    expect(r.error?.kind).toBe('crash');
    expect(r.stateLost).toBe(true);
    expect((await sb.execute('1')).stateLost).toBe(false);
    runtimes[1]?.events.onExit('killed');
    const after = await sb.execute('1');
    expect(after.status).toBe('ok');
    expect(after.stateLost).toBe(true);
  });

  it('replaces a runtime whose driver failed at the JavaScript level', async () => {
    const { sb, runtimes } = host((m, rt) => {
      if (m.type !== 'execute') return;
      if (runtimes.indexOf(rt) === 0)
        queueMicrotask(() =>
          rt.events.onMessage({
            type: 'error',
            id: m.id,
            error: { code: 'python_crashed', message: 'Maximum call stack size exceeded' },
          }),
        );
      else rt.reply(m.id, { output: 'ok' });
    });
    const r = await sb.execute('repr(A())');
    expect(r.error?.kind).toBe('crash');
    expect(r.error?.message).toContain('Maximum call stack size exceeded');
    expect(r.stateLost).toBe(true);
    expect(runtimes[0]?.terminated).toBe(true);
    expect((await sb.execute('1')).output).toBe('ok');
  });

  it('calls tools, records them and returns a failing tool as an error reply', async () => {
    const sentReplies: HostMessage[] = [];
    const { sb } = host(
      (m, rt) => {
        if (m.type === 'execute') {
          rt.events.onMessage({
            type: 'tool_call',
            callId: 1,
            name: 'web_search',
            args: { query: 'q' },
          });
          rt.events.onMessage({ type: 'tool_call', callId: 2, name: 'broken', args: {} });
        }
        if (m.type === 'tool_result') {
          sentReplies.push(m);
          if (sentReplies.length === 2) {
            const exec = rt.received.find((x) => x.type === 'execute');
            if (exec?.type === 'execute') rt.reply(exec.id, {});
          }
        }
      },
      {
        tools: [
          {
            name: 'web_search',
            params: ['query'],
            call: async (a) => ({ text: `found ${String(a.query)}`, data: [1] }),
          },
          {
            name: 'broken',
            params: [],
            call: async () => {
              throw new Error('offline');
            },
          },
        ],
      },
    );
    const r = await sb.execute('x');
    expect(sentReplies).toEqual([
      { type: 'tool_result', callId: 1, reply: { ok: true, text: 'found q' } },
      { type: 'tool_result', callId: 2, reply: { ok: false, message: 'broken failed: offline' } },
    ]);
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]).toMatchObject({
      name: 'web_search',
      args: { query: 'q' },
      text: 'found q',
      data: [1],
    });
  });

  it('rejects with aborted when the signal fires, after interrupting', async () => {
    const { sb, runtimes } = host((m, rt) => {
      if (m.type === 'interrupt') {
        const exec = rt.received.find((x) => x.type === 'execute');
        if (exec?.type === 'execute')
          rt.reply(exec.id, {
            status: 'error',
            error: { kind: 'timeout', type: 'KeyboardInterrupt', message: '', line: null },
          });
      }
    });
    const ac = new AbortController();
    const p = sb.execute('loop', { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    expect(runtimes[0]?.received.some((m) => m.type === 'interrupt')).toBe(true);
  });

  it('fails start with python_start_failed when the runtime cannot start', async () => {
    const sb = new SandboxHost((events) => ({
      send: () =>
        queueMicrotask(() =>
          events.onMessage({
            type: 'start_failed',
            error: { code: 'python_start_failed', message: 'no wasm' },
          }),
        ),
      terminate: () => undefined,
    }));
    await expect(sb.start()).rejects.toMatchObject({
      code: 'python_start_failed',
      message: 'no wasm',
    });
  });
});
