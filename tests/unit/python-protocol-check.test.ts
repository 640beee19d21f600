/** The host's check of runtime messages, and the line channel of the Node sandbox child. */
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../src/python/node-channel.ts';
import { checkRuntimeMessage } from '../../src/python/protocol-check.ts';

describe('checkRuntimeMessage', () => {
  it('passes each well-formed message as a fresh object without extra fields', () => {
    const result = {
      type: 'result',
      id: 3,
      result: {
        status: 'error',
        logs: 'x\n',
        durationMs: 1.5,
        error: { kind: 'runtime', type: 'ZeroDivisionError', message: 'm', line: null },
        injected: 'ignored',
      },
      extra: { evil: true },
    };
    const checked = checkRuntimeMessage(result);
    expect(checked).toEqual({
      ok: true,
      message: {
        type: 'result',
        id: 3,
        result: {
          status: 'error',
          logs: 'x\n',
          durationMs: 1.5,
          error: { kind: 'runtime', type: 'ZeroDivisionError', message: 'm', line: null },
        },
      },
    });
    expect(
      checkRuntimeMessage({
        type: 'tool_call',
        callId: 1,
        name: 'web_search',
        args: { query: 'x', k: [1, { a: null }] },
      }).ok,
    ).toBe(true);
    expect(checkRuntimeMessage({ type: 'done', id: 1, ok: false }).ok).toBe(true);
    expect(
      checkRuntimeMessage({ type: 'ready', pythonVersion: '3.14', startMs: 1, isolation: {} }).ok,
    ).toBe(true);
  });

  it('refuses malformed and forged messages with a reason, never throwing', () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 40; i++) at = (at.a = {}) as Record<string, unknown>;
    const hostileGetter = Object.defineProperty({ type: 'done', ok: true }, 'id', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      ['{"type":"done"}', /not an object/],
      [[1, 2], /not an object/],
      [{ type: 'exec_on_host', code: 'x' }, /unknown message type/],
      [{ type: 'result', id: 1, result: 'text' }, /result is not an object/],
      [{ type: 'result', id: -1, result: { status: 'ok', logs: '', durationMs: 0 } }, /id/],
      [{ type: 'result', id: 1, result: { status: 'pwned', logs: '', durationMs: 0 } }, /status/],
      [{ type: 'done', id: 1.5, ok: true }, /request id/],
      [{ type: 'done', id: 1, ok: 'yes' }, /ok is not a boolean/],
      [{ type: 'tool_call', callId: 1, name: 'web_search', args: [1] }, /not an object/],
      [{ type: 'tool_call', callId: 1, name: 'web_search', args: deep }, /too deep/],
      [{ type: 'tool_call', callId: 1, name: 'web_search', args: { q: NaN } }, /non-finite/],
      [{ type: 'start_failed', error: { code: 1, message: 'x' } }, /code is not a string/],
      [hostileGetter, /could not be read/],
    ];
    for (const [i, [value, reason]] of cases.entries()) {
      const checked = checkRuntimeMessage(value);
      expect(checked.ok, `case ${i}`).toBe(false);
      if (!checked.ok) expect(checked.reason).toMatch(reason);
    }
  });
});

describe('LineReader', () => {
  function reader(max?: number) {
    const got: unknown[] = [];
    const invalid: string[] = [];
    let overflow = 0;
    const r = new LineReader(
      {
        message: (m) => got.push(m),
        invalid: (why) => invalid.push(why),
        overflow: () => void overflow++,
      },
      max,
    );
    return { r, got, invalid, overflows: () => overflow };
  }

  it('joins lines split across chunks and drops lines that are not JSON', () => {
    const { r, got, invalid } = reader();
    r.push(Buffer.from('{"a":1}\n{"b":'));
    r.push(Buffer.from('2}\nnot json\n\n'));
    r.push(Buffer.from([0, 1, 2, 10]));
    r.push(Buffer.from('"é"\n'));
    expect(got).toEqual([{ a: 1 }, { b: 2 }, 'é']);
    expect(invalid).toHaveLength(2);
  });

  it('stops at a line over the limit, holding no more than the limit', () => {
    const { r, got, overflows } = reader(1024);
    r.push(Buffer.from('{"ok":true}\n'));
    for (let i = 0; i < 10; i++) r.push(Buffer.alloc(512, 0x61));
    r.push(Buffer.from('\n{"late":1}\n'));
    expect(got).toEqual([{ ok: true }]);
    expect(overflows()).toBe(1);
  });
});
