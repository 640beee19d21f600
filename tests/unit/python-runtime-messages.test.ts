/**
 * The host's check of runtime messages (protocol-check.ts): every real message shape passes
 * unchanged; forged and malformed ones are refused, and what passes carries only checked fields.
 */
import { describe, expect, it } from 'vitest';
import { checkRuntimeMessage } from '../../src/python/protocol-check.ts';

const result = {
  status: 'error',
  logs: 'x\n',
  output: '',
  finalAnswer: null,
  error: { kind: 'runtime', type: 'ZeroDivisionError', message: 'division by zero', line: 'x/0' },
  durationMs: 1.5,
};

describe('checkRuntimeMessage', () => {
  it('passes every message the runtime really sends', () => {
    for (const m of [
      { type: 'ready', pythonVersion: '3.14.0', startMs: 10, isolation: { origin: 'opaque' } },
      { type: 'ready', pythonVersion: '3.14.0', startMs: 10 },
      { type: 'start_failed', error: { code: 'python_start_failed', message: 'no' } },
      { type: 'result', id: 3, result },
      { type: 'result', id: 4, result: { status: 'ok', logs: '', output: '2', durationMs: 0 } },
      {
        type: 'result',
        id: 5,
        result: {
          status: 'final',
          logs: '',
          finalAnswer: { text: '42', type: 'int' },
          durationMs: 0,
        },
      },
      { type: 'done', id: 1, ok: true },
      { type: 'error', id: 2, error: { code: 'python_crashed', message: 'stack' } },
      { type: 'tool_call', callId: 1, name: 'web_search', args: { query: 'Paris', k: [1, null] } },
    ]) {
      expect(checkRuntimeMessage(structuredClone(m))).toEqual({ ok: true, message: m });
    }
  });

  it('refuses forged and malformed messages', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'navigate', url: 'http://127.0.0.1/' },
      { type: 'ready', pythonVersion: 3, startMs: 0 },
      { type: 'ready', pythonVersion: '3', startMs: 0, isolation: { a: 1 } },
      { type: 'result', id: -1, result },
      { type: 'result', id: 1.5, result },
      { type: 'result', id: '1', result },
      { type: 'result', id: 1, result: { ...result, logs: 5 } },
      { type: 'result', id: 1, result: { ...result, status: 'pwned' } },
      { type: 'result', id: 1, result: { ...result, error: { ...result.error, kind: 'x' } } },
      { type: 'result', id: 1, result: { ...result, durationMs: Infinity } },
      { type: 'done', id: 1, ok: 'yes' },
      { type: 'error', id: 1, error: { code: 7, message: 'x' } },
      { type: 'tool_call', callId: 1, name: 'web_search', args: 'q' },
      { type: 'tool_call', callId: 1, name: 'web_search', args: { q: NaN } },
      { type: 'tool_call', callId: 1, name: 'web_search', args: { q: new Date(0) } },
      { type: 'tool_call', callId: 1, name: 7, args: {} },
    ];
    for (const m of bad) expect(checkRuntimeMessage(m).ok, JSON.stringify(m)).toBe(false);
  });

  it('refuses tool arguments nested deeper than any real call', () => {
    let deep: unknown = 'q';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(
      checkRuntimeMessage({ type: 'tool_call', callId: 1, name: 'web_search', args: { q: deep } })
        .ok,
    ).toBe(false);
  });

  it('passes only the fields of the type, never extra ones', () => {
    const checked = checkRuntimeMessage({ type: 'done', id: 1, ok: true, html: '<style>' });
    expect(checked).toEqual({ ok: true, message: { type: 'done', id: 1, ok: true } });
  });

  it('refuses a message whose fields throw when read', () => {
    const trap = Object.defineProperty({ type: 'done', ok: true }, 'id', {
      get() {
        throw new Error('trap');
      },
      enumerable: true,
    });
    expect(checkRuntimeMessage(trap).ok).toBe(false);
  });
});
