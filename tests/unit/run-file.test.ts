import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRunFile,
  parseRunFile,
  runFileName,
  serializeRunFile,
  validateRunRecord,
} from '../../src/records/run-file.ts';
import type { RunRecord } from '../../src/agent/run-record.ts';
import { PlaygroundError } from '../../src/errors.ts';

// A run recorded by `playground ask --json` against the scripted server (see docs/decks.md).
const deck = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../examples/demo-deck.json'), 'utf8'),
) as { items: { type: string; run?: RunRecord }[] };
const recorded = deck.items.find((i) => i.type === 'run')?.run;
if (!recorded) throw new Error('examples/demo-deck.json has no recorded run');

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function runWith(id: string, startedAt: number): RunRecord {
  return { ...clone(recorded as RunRecord), id, startedAt };
}

const exportedAt = '2026-11-24T20:00:00.000Z';

function refusal(text: string): PlaygroundError {
  try {
    parseRunFile(text);
  } catch (err) {
    if (err instanceof PlaygroundError) return err;
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('run files', () => {
  it('round-trips export -> import -> export byte-identically, one run or many', () => {
    for (const runs of [[runWith('a', 1)], [runWith('b', 2), runWith('a', 1), runWith('c', 3)]]) {
      const first = serializeRunFile(createRunFile(runs, exportedAt));
      const imported = parseRunFile(first);
      expect(imported.runs.map((r) => r.id)).toEqual(
        [...runs].sort((x, y) => x.startedAt - y.startedAt).map((r) => r.id),
      );
      expect(serializeRunFile(createRunFile(imported.runs, imported.exportedAt))).toBe(first);
    }
  });

  it('gives the same bytes whatever the key order or selection order', () => {
    const a = runWith('a', 1);
    const b = runWith('b', 2);
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as RunRecord;
    expect(serializeRunFile(createRunFile([b, reordered], exportedAt))).toBe(
      serializeRunFile(createRunFile([a, b], exportedAt)),
    );
  });

  it('keeps every field of the run, values unchanged', () => {
    const text = serializeRunFile(createRunFile([recorded], exportedAt));
    expect(parseRunFile(text).runs[0]).toEqual(recorded);
    expect(text.endsWith('}\n')).toBe(true);
    const envelope = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual(['exportedAt', 'format', 'runs', 'version']);
    expect(envelope.format).toBe('small-agent-playground/runs');
    expect(envelope.version).toBe(1);
  });

  it('refuses what is not JSON, foreign files and other versions, saying so', () => {
    expect(refusal('{"format": ').message).toMatch(/it is not JSON/);
    expect(refusal('[1,2]').message).toMatch(/not a JSON object/);
    expect(refusal('{"runs": []}').message).toMatch(/has no "format" field/);
    expect(refusal('{"format": "chatgpt-export", "runs": []}').message).toMatch(
      /its format is "chatgpt-export", not "small-agent-playground\/runs"/,
    );
    const v2 = JSON.stringify({ format: 'small-agent-playground/runs', version: 2, runs: [] });
    expect(refusal(v2).message).toMatch(/version 2; this app reads version 1/);
    expect(refusal(v2).code).toBe('data_invalid');
    expect(refusal(v2).message).toMatch(/Nothing was imported\.$/);
  });

  it('names the exact field that is wrong in a damaged run', () => {
    const cases: [(r: Record<string, unknown>) => void, RegExp][] = [
      [(r) => delete r.question, /file\.runs\[0\]\.question is missing \(it must be a string\)/],
      [
        (r) => (r.status = 'done'),
        /file\.runs\[0\]\.status must be one of "running", .*got "done"/,
      ],
      [
        (r) => (((r.steps as { code: unknown }[])[1] as { code: unknown }).code = 42),
        /file\.runs\[0\]\.steps\[1\]\.code must be a string, got 42/,
      ],
      [(r) => (r.durationMs = 'fast'), /file\.runs\[0\]\.durationMs must be a finite number/],
      [(r) => (r.extra = 1), /file\.runs\[0\]\.extra is not a field this format knows/],
      [
        (r) => ((r.messages as unknown[])[0] = { role: 'tool', content: 'x' }),
        /file\.runs\[0\]\.messages\[0\]\.role must be one of "system", "user", "assistant"/,
      ],
    ];
    for (const [damage, message] of cases) {
      const run = clone(recorded) as unknown as Record<string, unknown>;
      damage(run);
      const text = JSON.stringify({
        format: 'small-agent-playground/runs',
        version: 1,
        exportedAt,
        runs: [run],
      });
      expect(refusal(text).message).toMatch(message);
    }
  });

  it('refuses a bad envelope: date, unknown field, duplicate ids', () => {
    const base = { format: 'small-agent-playground/runs', version: 1, exportedAt, runs: [] };
    expect(refusal(JSON.stringify({ ...base, exportedAt: 'yesterday' })).message).toMatch(
      /file\.exportedAt must be an ISO date/,
    );
    expect(refusal(JSON.stringify({ ...base, note: 'x' })).message).toMatch(
      /file\.note is not a field/,
    );
    expect(
      refusal(JSON.stringify({ ...base, runs: [runWith('x', 1), runWith('x', 2)] })).message,
    ).toMatch(/file\.runs\[1\]\.id "x" appears twice/);
    expect(parseRunFile(JSON.stringify(base)).runs).toEqual([]);
  });

  it('validates a single run for decks, with a path', () => {
    expect(validateRunRecord(clone(recorded))).toEqual(recorded);
    expect(() =>
      validateRunRecord({ ...clone(recorded), version: 2 }, 'deck.items[1].run'),
    ).toThrow(/deck\.items\[1\]\.run\.version must be one of 1, got 2/);
  });

  it('names files after the run or the export time', () => {
    expect(runFileName(createRunFile([runWith('r/1', 1)], exportedAt))).toBe('run-r_1.json');
    expect(runFileName(createRunFile([runWith('a', 1), runWith('b', 2)], exportedAt))).toBe(
      'runs-2026-11-24T20-00-00Z.json',
    );
  });
});
