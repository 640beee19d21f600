import { describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { newRunRecord } from '../../src/agent/run-record-builder.ts';
import type { RunRecord, StepRecord } from '../../src/agent/run-record.ts';
import { selectSftSamples } from '../../src/agent/sft-export.ts';

const distilled = getPromptProfile('distilled');

function step(n: number, over: Partial<StepRecord> = {}): StepRecord {
  return {
    step: n,
    modelOutput: `A${n}`,
    code: 'x',
    observation: `O${n}`,
    execution: null,
    parseError: null,
    candidates: [],
    groups: [],
    chosen: 0,
    startedAt: 0,
    durationMs: 0,
    generationMs: 0,
    executionMs: 0,
    ...over,
  };
}

function run(status: RunRecord['status'], steps: StepRecord[]): RunRecord {
  const r = newRunRecord('q1', 'Q?', {
    mode: 'agent',
    engine: 'openai',
    model: 't',
    promptProfile: 'fewshot',
    maxSteps: 5,
    samples: 1,
    temperature: 0.4,
    topP: 0.8,
    maxTokens: 1024,
    pythonTimeoutMs: 20000,
  });
  r.status = status;
  r.answer = 'ans';
  r.steps = steps;
  r.messages = [
    { role: 'system', content: 'TEACHER PROMPT' },
    { role: 'user', content: 'New task:\nQ?' },
    ...steps.flatMap((s) => [
      { role: 'assistant' as const, content: s.modelOutput },
      { role: 'user' as const, content: s.observation },
    ]),
  ];
  return r;
}

describe('SFT export (PROTOCOL section 9)', () => {
  it('keeps a correct run with the distilled prompt swapped in and the last observation dropped', () => {
    const sel = selectSftSamples(run('answered', [step(1), step(2)]), true, distilled);
    expect(sel.verdict).toBe('kept');
    expect(sel.samples[0]?.messages).toEqual([
      { role: 'system', content: distilled.agentSystem },
      { role: 'user', content: 'New task:\nQ?' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'O1' },
      { role: 'assistant', content: 'A2' },
    ]);
  });

  it('keeps execution errors but drops parse errors and wrong answers', () => {
    const exec = step(1, {
      execution: {
        status: 'error',
        logs: '',
        output: '',
        stateLost: false,
        toolCalls: [],
        durationMs: 1,
      },
    });
    expect(selectSftSamples(run('answered', [exec, step(2)]), true, distilled).verdict).toBe(
      'kept',
    );
    // Recovered or not, a parse error anywhere drops the run (filter_agent_training_data.py).
    const parse = step(1, {
      code: null,
      parseError: 'Error in code parsing:\nno fence',
      observation:
        'Error:\nError in code parsing:\nno fence\nMake sure to provide correct code blobs.',
    });
    expect(selectSftSamples(run('answered', [parse, step(2)]), true, distilled)).toEqual({
      verdict: 'parse-error',
      samples: [],
    });
    // The reference matches the text, so an observation that prints it counts too.
    const printed = step(1, { observation: 'Execution logs:\nReached max steps\n' });
    expect(selectSftSamples(run('answered', [printed, step(2)]), true, distilled)).toEqual({
      verdict: 'max-steps',
      samples: [],
    });
    expect(selectSftSamples(run('answered', [step(1)]), false, distilled)).toEqual({
      verdict: 'wrong',
      samples: [],
    });
  });

  it('a correct max-steps run gives its trajectory and the fallback conversation (preprocess.py)', () => {
    const sel = selectSftSamples(run('fallback', [step(1), step(2)]), true, distilled);
    expect(sel.verdict).toBe('max-steps');
    expect(sel.samples).toHaveLength(2);
    expect(sel.samples[0]?.messages).toEqual([
      { role: 'system', content: distilled.agentSystem },
      { role: 'user', content: 'New task:\nQ?' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'O1' },
      { role: 'assistant', content: 'A2' },
    ]);
    const msgs = sel.samples[1]?.messages ?? [];
    expect(msgs[0]).toEqual({ role: 'system', content: distilled.fallbackSystem });
    expect(msgs.at(-2)?.content).toBe(
      'O2Based on the above, please provide an answer to the following user task:\nQ?',
    );
    expect(msgs.at(-1)).toEqual({ role: 'assistant', content: 'ans' });
    expect(selectSftSamples(run('fallback', [step(1)]), false, distilled).samples).toEqual([]);
  });
});
