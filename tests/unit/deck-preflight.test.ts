/** The deck preflight and the readable replay pacing, on the demo deck the app ships. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deckPreflight,
  recordedFallback,
  type DeckEnvironment,
} from '../../src/ui/present/deck-preflight.ts';
import {
  buildReplayTimeline,
  parseDeck,
  readingMs,
  type ResolvedDeckItem,
} from '../../src/ui/present/deck.ts';

const demo = parseDeck(
  readFileSync(resolve(import.meta.dirname, '../../examples/demo-deck.json'), 'utf8'),
);
const items = demo.items as ResolvedDeckItem[];

const env = (over: Partial<DeckEnvironment> = {}): DeckEnvironment => ({
  model: () => ({ state: 'missing', detail: 'not loaded: load it in Models' }),
  index: { state: 'ok', detail: 'served' },
  python: { state: 'missing', detail: 'numpy and sympy not installed' },
  ...over,
});

describe('deck preflight', () => {
  it("lists each item's needs, marks what is missing, and finds the recorded fallback", () => {
    const rows = deckPreflight(items, env());
    expect(rows.map((r) => [r.live, r.ready])).toEqual([
      [true, false],
      [false, true],
      [true, false],
    ]);
    // The live CoT question needs a model only; the live agent question the index and Python too.
    expect(rows[0]?.needs.map((n) => [n.kind, n.state])).toEqual([['model', 'missing']]);
    expect(rows[2]?.needs.map((n) => [n.kind, n.state])).toEqual([
      ['model', 'missing'],
      ['index', 'ok'],
      ['python', 'missing'],
    ]);
    expect(rows[1]?.needs).toEqual([]);
    // The first question was also recorded (item 2); the third never was.
    expect(rows[0]?.fallback).toBe(1);
    expect(rows[2]?.fallback).toBeNull();
    expect(recordedFallback(items, 1)).toBeNull();
  });

  it('calls a deck ready when every need is met', () => {
    const rows = deckPreflight(
      items,
      env({
        model: () => ({ state: 'ok', detail: 'loaded' }),
        python: { state: 'ok', detail: 'served' },
      }),
    );
    expect(rows.every((r) => r.ready)).toBe(true);
  });
});

describe('replay pacing', () => {
  it("gives every reveal of the demo deck's recorded run time to be read", () => {
    const run = items.find((i) => i.type === 'run');
    if (run?.type !== 'run') throw new Error('the demo deck has a recorded run');
    const speed = demo.replaySpeed ?? 1;
    const raw = buildReplayTimeline(run.run, speed);
    const paced = buildReplayTimeline(run.run, speed, { readable: true });
    expect(paced.events.map((e) => [e.kind, e.text])).toEqual(
      raw.events.map((e) => [e.kind, e.text]),
    );
    expect(paced.events.length).toBe(10);
    for (let i = 1; i < paced.events.length; i++) {
      const prev = paced.events[i - 1];
      const gap = (paced.events[i]?.atMs ?? 0) - (prev?.atMs ?? 0);
      expect(gap).toBeGreaterThanOrEqual(
        readingMs(prev?.kind ?? 'code', prev?.text ?? '') / speed - 1e-6,
      );
      expect(gap).toBeGreaterThanOrEqual(1200 / speed - 1e-6);
    }
    expect(paced.totalMs).toBeGreaterThan(10_000);
    // Faster still scales it.
    expect(buildReplayTimeline(run.run, speed * 2, { readable: true }).totalMs).toBeCloseTo(
      paced.totalMs / 2,
    );
  });
});
