import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.ts';
import type { Candidate, RunRecord, StepRecord } from '../../src/agent/run-record.ts';
import type { ExecutionResult } from '../../src/agent/ports.ts';
import { foldEvent, type LiveRunState } from '../../src/ui/lib/live-run.ts';
import { searchCalls } from '../../src/ui/lib/passages.ts';
import { runUsage } from '../../src/ui/lib/run-stats.ts';
import { ms, rate } from '../../src/ui/lib/format.ts';
import type { RunConfig } from '../../src/ui/lib/run-config.ts';

const exec = (logs: string, extra: Partial<ExecutionResult> = {}): ExecutionResult => ({
  status: 'ok',
  logs,
  output: 'None',
  stateLost: false,
  toolCalls: [],
  durationMs: 3,
  ...extra,
});

function emptyRun(samples: number, mode: 'agent' | 'cot' = 'agent'): LiveRunState {
  return {
    status: 'preparing',
    phase: 'Starting…',
    config: { mode, samples } as RunConfig,
    steps: [],
    answer: null,
    answerSource: null,
    fallbackRunning: false,
    error: null,
    record: null,
  };
}

describe('folding agent events into the live view', () => {
  it('streams a single-sample step, then shows code, passages and observation', () => {
    const run = emptyRun(1);
    const search = exec('\nRetrieved documents: ...', {
      toolCalls: [
        {
          name: 'web_search',
          args: { query: 'Harvey Pekar' },
          text: '...',
          data: [{ id: '1', title: 'Harvey Pekar', text: 'An American comic writer.', score: 0.8 }],
          durationMs: 1,
        },
      ],
    });
    const events: AgentEvent[] = [
      { type: 'run-started', runId: 'r', question: 'q', mode: 'agent' },
      { type: 'step-started', step: 1 },
      { type: 'token', step: 1, delta: 'Thought: se' },
      { type: 'token', step: 1, delta: 'arch.' },
    ];
    events.forEach((e) => foldEvent(run, e));
    expect(run.status).toBe('running');
    expect(run.phase).toBe('');
    expect(run.steps[0]?.streamed).toBe('Thought: search.');
    expect(run.steps[0]?.phase).toBe('generating');
    foldEvent(run, {
      type: 'model-output',
      step: 1,
      outputs: ['Thought: search.\n```py\nweb_search("x")\n```'],
      usage: { promptTokens: 5, completionTokens: 7, decodeTokensPerSecond: 30 },
      latencyMs: 120,
    });
    foldEvent(run, { type: 'code', step: 1, code: 'web_search("x")' });
    foldEvent(run, {
      type: 'observation',
      step: 1,
      observation: 'Call id: call_1',
      execution: search,
    });
    const s = run.steps[0];
    expect(s?.phase).toBe('executing');
    expect(s?.code).toBe('web_search("x")');
    expect(s?.usage?.decodeTokensPerSecond).toBe(30);
    expect(searchCalls(s?.execution ?? null)).toEqual([
      {
        query: 'Harvey Pekar',
        passages: [{ title: 'Harvey Pekar', text: 'An American comic writer.', score: 0.8 }],
      },
    ]);
  });

  it('collects SAG candidates and the vote, then takes the step record', () => {
    const run = emptyRun(3);
    foldEvent(run, { type: 'step-started', step: 1 });
    expect(run.steps[0]?.samples).toBe(3);
    const cands: Candidate[] = [0, 1, 2].map((i) => ({
      index: i,
      output: `out ${i}`,
      code: 'print(1)',
      parseError: null,
      execution: exec(i === 1 ? '2\n' : '1\n'),
      valid: true,
      group: i === 1 ? 1 : 0,
    }));
    for (const c of cands) foldEvent(run, { type: 'candidate', step: 1, candidate: c, total: 3 });
    const groups = [
      { key: '1', members: [0, 2] },
      { key: '2', members: [1] },
    ];
    foldEvent(run, { type: 'vote', step: 1, groups, chosen: 0 });
    expect(run.steps[0]?.candidates).toHaveLength(3);
    expect(run.steps[0]?.chosen).toBe(0);
    expect(run.steps[0]?.output).toBe('out 0');
    const record: StepRecord = {
      step: 1,
      modelOutput: 'out 0',
      code: 'print(1)',
      observation: 'obs',
      execution: cands[0]?.execution ?? null,
      parseError: null,
      candidates: cands,
      groups,
      chosen: 0,
      startedAt: 1,
      durationMs: 50,
      generationMs: 30,
      executionMs: 20,
    };
    foldEvent(run, { type: 'step-finished', record });
    expect(run.steps[0]).toMatchObject({
      phase: 'done',
      durationMs: 50,
      executionMs: 20,
      error: null,
    });
  });

  it('marks parse errors, the fallback and the final answer', () => {
    const run = emptyRun(1);
    foldEvent(run, { type: 'step-started', step: 1 });
    foldEvent(run, { type: 'error', step: 1, kind: 'parse', message: 'no code' });
    expect(run.steps[0]?.error).toEqual({ kind: 'parse', message: 'no code' });
    foldEvent(run, { type: 'fallback-started' });
    expect(run.fallbackRunning).toBe(true);
    foldEvent(run, { type: 'final-answer', answer: 'Paris', source: 'fallback' });
    expect([run.answer, run.answerSource, run.fallbackRunning]).toEqual([
      'Paris',
      'fallback',
      false,
    ]);
  });

  it('finishes a CoT run from its record', () => {
    const run = emptyRun(1, 'cot');
    foldEvent(run, { type: 'step-started', step: 1 });
    expect(run.steps[0]?.mode).toBe('cot');
    const record = {
      status: 'answered',
      answer: '4',
      response: 'so <answer>4</answer>',
      settings: { mode: 'cot' },
      usage: { promptTokens: 10, completionTokens: 4 },
      durationMs: 99,
      modelCalls: [{ latencyMs: 90 }],
    } as unknown as RunRecord;
    foldEvent(run, { type: 'run-finished', record });
    expect(run.status).toBe('answered');
    expect(run.answer).toBe('4');
    expect(run.answerSource).toBe('cot');
    expect(run.steps[0]).toMatchObject({
      phase: 'done',
      output: 'so <answer>4</answer>',
      durationMs: 99,
    });
  });
});

describe('run statistics', () => {
  it('weights tokens/s by tokens over the calls that reported them', () => {
    const record = {
      usage: { promptTokens: 300, completionTokens: 30 },
      modelCalls: [
        {
          usage: {
            promptTokens: 100,
            completionTokens: 10,
            prefillTokensPerSecond: 100,
            decodeTokensPerSecond: 10,
          },
        },
        {
          usage: {
            promptTokens: 200,
            completionTokens: 20,
            prefillTokensPerSecond: 400,
            decodeTokensPerSecond: 40,
          },
        },
      ],
    } as unknown as RunRecord;
    const u = runUsage(record);
    expect(u.prefillTokensPerSecond).toBeCloseTo(300);
    expect(u.decodeTokensPerSecond).toBeCloseTo(30);
    expect([ms(950), ms(1500), ms(125_000), rate(undefined)]).toEqual([
      '950 ms',
      '1.5 s',
      '2 min 5 s',
      '–',
    ]);
  });
});

describe('SAG sampling progress', () => {
  it('counts generated samples before candidates run', () => {
    const run = emptyRun(4);
    foldEvent(run, { type: 'step-started', step: 1 });
    expect(run.steps[0]?.sampled).toBe(0);
    foldEvent(run, { type: 'sample', step: 1, index: 0, total: 4 });
    foldEvent(run, { type: 'sample', step: 1, index: 2, total: 4 });
    expect(run.steps[0]?.sampled).toBe(3);
    expect(run.steps[0]?.phase).toBe('generating');
  });
});
