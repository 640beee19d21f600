/**
 * Pyodide polls the interrupt flag as `v = buf[0]; buf[0] = 0` (two steps). The host's interrupt
 * must survive landing between them (through the raw array it is wiped out).
 */
import { describe, expect, it } from 'vitest';
import { atomicInterruptView } from '../../src/python/interrupt-view.ts';

/** Pyodide's poll, with the host's write landing between its read and its clear. */
function pollWithRacingWrite(buffer: Int32Array, flag: Int32Array): number {
  const seen = buffer[0] ?? 0;
  Atomics.store(flag, 0, 2);
  buffer[0] = 0;
  return seen;
}

describe('atomicInterruptView', () => {
  it('keeps an interrupt that lands between the poll read and its clear', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const view = atomicInterruptView(flag);
    expect(pollWithRacingWrite(view, flag)).toBe(0);
    expect(view[0]).toBe(2);
    expect(Atomics.load(flag, 0)).toBe(0);
  });

  it('hands over an interrupt once, then reads clear', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const view = atomicInterruptView(flag);
    Atomics.store(flag, 0, 2);
    expect(view[0]).toBe(2);
    expect(view[0]).toBe(0);
    expect(view.length).toBe(1);
  });
});
