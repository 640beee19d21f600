import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildReplayTimeline,
  parseDeck,
  resolveDeck,
  validateDeck,
  visibleEvents,
  type Deck,
} from '../../src/ui/present/deck.ts';
import type { RunRecord, StepRecord } from '../../src/agent/run-record.ts';

const demoText = readFileSync(
  resolve(import.meta.dirname, '../../examples/demo-deck.json'),
  'utf8',
);
const demo = parseDeck(demoText);
const recordedItem = demo.items.find((i) => i.type === 'run');
if (recordedItem?.type !== 'run') throw new Error('the demo deck has no recorded run');
const recorded = recordedItem.run;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function deckWith(items: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { format: 'small-agent-playground/deck', version: 1, title: 'T', items, ...extra };
}

function refusal(value: unknown): string {
  try {
    validateDeck(value);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the deck was accepted');
}

describe('deck format', () => {
  it('accepts the documented example deck', () => {
    expect(demo.title).toBe('Small agents with tools: a five-minute demo');
    expect(demo.items.map((i) => i.type)).toEqual(['question', 'run', 'question']);
    expect(recorded.answer).toBe('237 metres');
  });

  it('refuses malformed decks, naming what is wrong', () => {
    expect(() => parseDeck('not json')).toThrow(/This deck cannot be opened: it is not JSON/);
    expect(refusal({ title: 'x', items: [] })).toMatch(
      /deck\.format is missing \(it must be "small-agent-playground\/deck"\)/,
    );
    expect(refusal(deckWith([]))).toMatch(/deck\.items must be a non-empty array/);
    expect(refusal(deckWith([{ type: 'slide' }]))).toMatch(
      /deck\.items\[0\]\.type must be one of "question", "run", "saved-run", got "slide"/,
    );
    expect(refusal(deckWith([{ type: 'question', question: ' ', mode: 'agent' }]))).toMatch(
      /deck\.items\[0\]\.question must be a non-empty string/,
    );
    expect(refusal(deckWith([{ type: 'question', question: 'q', mode: 'chat' }]))).toMatch(
      /deck\.items\[0\]\.mode must be one of "agent", "cot", got "chat"/,
    );
    expect(
      refusal(
        deckWith([{ type: 'question', question: 'q', mode: 'agent', settings: { samples: 0 } }]),
      ),
    ).toMatch(/deck\.items\[0\]\.settings\.samples must be an integer from 1 to 16, got 0/);
    expect(
      refusal(deckWith([{ type: 'question', question: 'q', mode: 'agent', settings: { gpu: 1 } }])),
    ).toMatch(/deck\.items\[0\]\.settings\.gpu is not a deck field/);
    expect(refusal(deckWith([{ type: 'saved-run', id: 'a' }], { replaySpeed: 0 }))).toMatch(
      /deck\.replaySpeed must be a number from 0\.1 to 100, got 0/,
    );
    const badRun = clone(recorded) as unknown as Record<string, unknown>;
    badRun.steps = 'none';
    expect(
      refusal(
        deckWith([
          { type: 'saved-run', id: 'a' },
          { type: 'run', run: badRun },
        ]),
      ),
    ).toMatch(
      /This deck cannot be opened: deck\.items\[1\]\.run\.steps must be an array, got "none"\.$/,
    );
  });

  it('resolves saved-run references, naming every id this browser does not have', async () => {
    const deck = validateDeck(
      deckWith([
        { type: 'saved-run', id: 'here', title: 'Saved' },
        { type: 'question', question: 'q', mode: 'cot' },
      ]),
    );
    const resolved = await resolveDeck(deck, (id) =>
      Promise.resolve(id === 'here' ? recorded : undefined),
    );
    expect(resolved).toEqual([
      { type: 'run', run: recorded, title: 'Saved' },
      { type: 'question', question: 'q', mode: 'cot' },
    ]);
    const missing = validateDeck(
      deckWith([
        { type: 'saved-run', id: 'gone-1' },
        { type: 'saved-run', id: 'here' },
        { type: 'saved-run', id: 'gone-2' },
      ]),
    ) as Deck;
    await expect(
      resolveDeck(missing, (id) => Promise.resolve(id === 'here' ? recorded : undefined)),
    ).rejects.toThrow(/2 saved run\(s\) that are not in this browser's history: gone-1, gone-2/);
  });
});

function step(
  n: number,
  startedAt: number,
  gen: number,
  exec: number,
  code: string | null,
): StepRecord {
  return {
    step: n,
    modelOutput: `out ${n}`,
    code,
    observation: `obs ${n}`,
    execution: null,
    parseError: code === null ? 'no code' : null,
    candidates: [],
    groups: [],
    chosen: 0,
    startedAt,
    durationMs: gen + exec,
    generationMs: gen,
    executionMs: exec,
  };
}

function run(steps: StepRecord[], over: Partial<RunRecord> = {}): RunRecord {
  return {
    ...clone(recorded),
    startedAt: 1000,
    finishedAt: 3000,
    steps,
    answer: '42',
    ...over,
  };
}

describe('replay timeline', () => {
  it('orders model output, code, observation per step, then the answer, at recorded times', () => {
    const t = buildReplayTimeline(
      run([step(1, 1000, 400, 100, 'x = 1'), step(2, 1600, 300, 50, null)]),
    );
    expect(t.events.map((e) => [e.kind, e.step, e.text, e.atMs, e.durationMs])).toEqual([
      ['model-output', 1, 'out 1', 0, 400],
      ['code', 1, 'x = 1', 400, 0],
      ['observation', 1, 'obs 1', 400, 100],
      ['model-output', 2, 'out 2', 600, 300],
      ['observation', 2, 'obs 2', 900, 50],
      ['final-answer', null, '42', 2000, 0],
    ]);
    expect(t.totalMs).toBe(2000);
  });

  it('scales with the speed and never runs backwards on odd clocks', () => {
    const steps = [step(1, 1000, 400, 100, 'a'), step(2, 1200, 200, 0, 'b')];
    const fast = buildReplayTimeline(run(steps), 4);
    expect(fast.events.map((e) => e.atMs)).toEqual([0, 100, 100, 125, 175, 175, 500]);
    const ats = fast.events.map((e) => e.atMs);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    expect(() => buildReplayTimeline(run(steps), 0)).toThrow(/replay speed must be from 0\.1/);
  });

  it('shows the CoT response, or the error when there is no answer', () => {
    const cot = buildReplayTimeline(
      run([], {
        settings: { ...recorded.settings, mode: 'cot' },
        response: 'so 42',
        durationMs: 800,
      }),
    );
    expect(cot.events.map((e) => [e.kind, e.text, e.atMs])).toEqual([
      ['model-output', 'so 42', 0],
      ['final-answer', '42', 2000],
    ]);
    const failed = buildReplayTimeline(
      run([step(1, 1000, 10, 10, 'a')], {
        answer: null,
        status: 'error',
        error: { code: 'engine_unreachable', message: 'server down' },
      }),
    );
    expect(failed.events.at(-1)).toMatchObject({ kind: 'error', text: 'server down' });
  });

  it('replays the recorded demo run and tells what is visible at a given time', () => {
    const t = buildReplayTimeline(recorded, 2);
    expect(t.events.filter((e) => e.kind === 'model-output')).toHaveLength(recorded.steps.length);
    expect(t.events.at(-1)).toMatchObject({ kind: 'final-answer', text: '237 metres' });
    expect(visibleEvents(t, -1)).toBe(0);
    expect(visibleEvents(t, t.totalMs)).toBe(t.events.length);
    const second = t.events.findIndex((e) => e.kind === 'model-output' && e.step === 2);
    expect(visibleEvents(t, t.events[second]?.atMs ?? NaN)).toBe(second + 1);
  });
});
