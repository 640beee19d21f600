import { describe, expect, it } from 'vitest';
import { vote } from '../../src/agent/sag-vote.ts';
import type { ExecutionResult } from '../../src/agent/ports.ts';

const ok = (logs: string): ExecutionResult => ({
  status: 'ok',
  logs,
  output: 'None',
  stateLost: false,
  toolCalls: [],
  durationMs: 1,
});
const fin = (answer: string, logs = ''): ExecutionResult => ({
  ...ok(logs),
  status: 'final',
  output: answer,
  finalAnswer: { text: answer, type: 'str' },
});
const err = (): ExecutionResult => ({
  ...ok(''),
  status: 'error',
  error: { kind: 'runtime', type: 'E', message: 'm' },
});

describe('SAG vote (docs/protocol.md section 6)', () => {
  it('takes the largest group', () => {
    const v = vote([{ execution: ok('1\n') }, { execution: ok('2\n') }, { execution: ok('2\n') }]);
    expect(v.chosen).toBe(1);
    expect(v.groups.map((g) => g.members)).toEqual([[0], [1, 2]]);
    expect(v.groupOf).toEqual([0, 1, 1]);
  });
  it('breaks ties by the group that appeared first', () => {
    expect(
      vote([
        { execution: ok('a') },
        { execution: ok('b') },
        { execution: ok('b') },
        { execution: ok('a') },
      ]).chosen,
    ).toBe(0);
  });
  it('takes the first valid candidate when every group has one member', () => {
    expect(
      vote([
        { execution: err() },
        { execution: null },
        { execution: ok('x') },
        { execution: ok('y') },
      ]).chosen,
    ).toBe(2);
  });
  it('falls back to candidate 0 when none is valid', () => {
    const v = vote([{ execution: null }, { execution: err() }]);
    expect(v.chosen).toBe(0);
    expect(v.groups).toEqual([]);
    expect(v.groupOf).toEqual([null, null]);
  });
  it('separates candidates that printed the same but answered differently', () => {
    const v = vote([
      { execution: fin('3', 'p') },
      { execution: fin('4', 'p') },
      { execution: fin('4', 'p') },
      { execution: ok('p') },
    ]);
    expect(v.groups).toHaveLength(3);
    expect(v.chosen).toBe(1);
  });
});
