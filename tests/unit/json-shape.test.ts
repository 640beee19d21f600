/**
 * The one JSON validator (src/json-shape.ts): every refusal names the path of the value at fault
 * and what was expected, and the formats built on it (saved runs, registry, decks, added models,
 * the index manifest) say so in the same words.
 */
import { describe, expect, it } from 'vitest';
import {
  ShapeError,
  allOf,
  arrayOf,
  boolean,
  fields,
  finiteNumber,
  integer,
  jsonObject,
  literal,
  nonEmptyString,
  nullable,
  numberFrom,
  object,
  oneOf,
  refuse,
  string,
  tagged,
  validate,
  type Check,
} from '../../src/json-shape.ts';
import { settingCheck, SETTINGS } from '../../src/agent/settings.ts';

/** The message `check` refuses `value` with, at `path`. */
function refusal(check: Check, value: unknown, path = 'x'): string {
  try {
    check(value, path);
  } catch (err) {
    expect(err).toBeInstanceOf(ShapeError);
    return (err as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

interface Point {
  x: number;
  y: number;
  label?: string;
}
const point = object<Point>({ x: finiteNumber, y: finiteNumber, 'label?': nonEmptyString });

describe('json-shape: single values', () => {
  it('names what was expected and what came, short', () => {
    expect(refusal(string, 42)).toBe('x must be a string, got 42');
    expect(refusal(string, undefined)).toBe('x must be a string, got nothing');
    expect(refusal(string, null)).toBe('x must be a string, got null');
    expect(refusal(finiteNumber, [1])).toBe('x must be a finite number, got an array');
    expect(refusal(finiteNumber, {})).toBe('x must be a finite number, got an object');
    expect(refusal(finiteNumber, Number.POSITIVE_INFINITY)).toBe(
      'x must be a finite number, got Infinity',
    );
    expect(refusal(integer, 1.5)).toBe('x must be an integer, got 1.5');
    expect(refusal(boolean, 'yes')).toBe('x must be true or false, got "yes"');
    expect(refusal(nonEmptyString, '  ')).toBe('x must be a non-empty string, got "  "');
    expect(refusal(string, 7, 'a'.repeat(3))).toBe('aaa must be a string, got 7');
    expect(refusal(literal('cpu'), 'gpu')).toBe('x must be "cpu", got "gpu"');
    expect(refusal(oneOf('a', 'b', 3), 'c')).toBe('x must be one of "a", "b", 3, got "c"');
    // Long strings are cut in the message, not in the check.
    expect(refusal(integer, 'y'.repeat(100))).toBe(
      `x must be an integer, got "${'y'.repeat(40)}…"`,
    );
  });

  it('ranges include both ends', () => {
    const r = numberFrom(0.1, 100);
    for (const ok of [0.1, 1, 100]) expect(() => r(ok, 'x')).not.toThrow();
    expect(refusal(r, 0)).toBe('x must be a number from 0.1 to 100, got 0');
    expect(refusal(r, 100.5)).toBe('x must be a number from 0.1 to 100, got 100.5');
    expect(refusal(numberFrom(1, 9, { integer: true }), 2.5)).toBe(
      'x must be an integer from 1 to 9, got 2.5',
    );
  });

  it('settings are checked against the one settings table, in its units', () => {
    const { min, max } = SETTINGS.samples;
    expect(() => settingCheck('samples')(max, 's')).not.toThrow();
    expect(refusal(settingCheck('samples'), max + 1, 's')).toBe(
      `s must be an integer from ${min} to ${max}, got ${max + 1}`,
    );
    const ms = settingCheck('pythonTimeoutS', 1000);
    expect(() => ms(SETTINGS.pythonTimeoutS.max * 1000, 't')).not.toThrow();
    expect(refusal(ms, 1, 't')).toMatch(/^t must be a number from 100 to 3600000, got 1$/);
  });

  it('JSON data: finite numbers, no functions, every level', () => {
    expect(() => jsonObject({ a: [1, 'b', null, { c: true }] }, 'd')).not.toThrow();
    expect(refusal(jsonObject, [1], 'd')).toBe('d must be an object, got an array');
    expect(refusal(jsonObject, { a: [1, { b: Number.NaN }] }, 'd')).toBe(
      'd.a[1].b must be a finite number, got NaN',
    );
    expect(refusal(jsonObject, { f: () => 1 }, 'd')).toMatch(/^d\.f must be JSON data/);
  });
});

describe('json-shape: objects, arrays and unions', () => {
  it('builds paths through objects and arrays', () => {
    const line = object<{ points: Point[]; closed: boolean | null }>({
      points: arrayOf(point, { nonEmpty: true }),
      closed: nullable(boolean),
    });
    const good = { points: [{ x: 1, y: 2 }], closed: null };
    expect(validate(good, line, 'line')).toBe(good);
    expect(refusal(line, { points: [], closed: true }, 'line')).toBe(
      'line.points must be a non-empty array, got an array',
    );
    expect(
      refusal(
        line,
        {
          points: [
            { x: 1, y: 2 },
            { x: 1, y: 'a' },
          ],
          closed: true,
        },
        'line',
      ),
    ).toBe('line.points[1].y must be a finite number, got "a"');
    // At a file's top level (path '') paths start with the field.
    expect(refusal(line, { points: 'none', closed: false }, '')).toBe(
      'points must be a non-empty array, got "none"',
    );
    expect(refusal(line, [], '')).toBe('the top level must be an object, got an array');
  });

  it('a missing field says what it should have been; optional fields may be left out', () => {
    expect(refusal(point, { x: 1 }, 'p')).toBe('p.y is missing (it must be a finite number)');
    expect(() => point({ x: 1, y: 2 }, 'p')).not.toThrow();
    expect(refusal(point, { x: 1, y: 2, label: '' }, 'p')).toBe(
      'p.label must be a non-empty string, got ""',
    );
  });

  it('refuses fields the format does not know, unless the object is open', () => {
    expect(refusal(point, { x: 1, y: 2, z: 3 }, 'p')).toBe('p.z is not a field this format knows');
    const some = fields({ x: finiteNumber });
    expect(() => some({ x: 1, z: 3 }, 'p')).not.toThrow();
    expect(refusal(some, { z: 3 }, 'p')).toBe('p.x is missing (it must be a finite number)');
  });

  it('picks the shape of a tagged object by its tag, naming the tags there are', () => {
    const shape = tagged('type', {
      dot: object<{ type: 'dot'; at: Point }>({ type: literal('dot'), at: point }),
      text: object<{ type: 'text'; text: string }>({ type: literal('text'), text: string }),
    });
    expect(() => shape({ type: 'text', text: 'hi' }, 's')).not.toThrow();
    expect(refusal(shape, { type: 'dot', at: { x: 1 } }, 's')).toBe(
      's.at.y is missing (it must be a finite number)',
    );
    expect(refusal(shape, { type: 'line' }, 's')).toBe(
      's.type must be one of "dot", "text", got "line"',
    );
    // Inherited names are no tags.
    expect(refusal(shape, { type: 'constructor' }, 's')).toMatch(/^s\.type must be one of/);
    expect(refusal(shape, 'dot', 's')).toBe('s must be an object, got "dot"');
  });

  it('runs rules across fields after the shape', () => {
    const range = allOf(
      object<{ from: number; to: number }>({ from: finiteNumber, to: finiteNumber }),
      (v, p) => {
        const r = v as { from: number; to: number };
        if (r.from > r.to) refuse(`${p}.to`, `is below from (${r.from})`);
      },
    );
    expect(refusal(range, { from: 'a', to: 1 }, 'r')).toBe(
      'r.from must be a finite number, got "a"',
    );
    expect(refusal(range, { from: 3, to: 1 }, 'r')).toBe('r.to is below from (3)');
  });
});
