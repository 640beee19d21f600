/**
 * The one JSON validator: small structural checks, each of which throws a ShapeError naming
 * the path of what is wrong and what was expected ("file.runs[0].steps[2].code must be a string,
 * got 42"). Saved runs, the model registry, added models, decks and the search index manifest
 * describe their formats with it; each wraps ShapeError in its own PlaygroundError. A leaf like
 * json.ts, so every layer may import it (eslint.config.js, allowedImports).
 */
import { isPlainObject } from './json.ts';

/** Checks the value found at `path`; throws ShapeError when it is not what it should be. */
export type Check = (v: unknown, path: string) => void;

export class ShapeError extends Error {
  override name = 'ShapeError';

  /** For a value of the wrong kind: where it is and what was expected there. */
  constructor(
    message: string,
    readonly expected?: { path: string; what: string },
  ) {
    super(message);
  }
}

/** The value as a message shows it: `nothing`, `null`, `an array`, `"text…"`, `42`. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** `${path} must be ${what}, got ${v}`. */
export function fail(path: string, what: string, v: unknown): never {
  throw new ShapeError(`${path} must be ${what}, got ${describeValue(v)}`, { path, what });
}

/** A fault that is not about one value's type, e.g. `models[3].id "x" is a duplicate id`. */
export function refuse(path: string, problem: string): never {
  throw new ShapeError(`${path} ${problem}`);
}

/** A check from a predicate: `what` says what passes, e.g. 'an integer from 1 to 16'. */
export function that(ok: (v: unknown) => boolean, what: string): Check {
  return (v, p) => void (ok(v) || fail(p, what, v));
}

export const string: Check = that((v) => typeof v === 'string', 'a string');
export const nonEmptyString: Check = that(
  (v) => typeof v === 'string' && v.trim() !== '',
  'a non-empty string',
);
export const finiteNumber: Check = that(
  (v) => typeof v === 'number' && Number.isFinite(v),
  'a finite number',
);
export const integer: Check = that(
  (v) => typeof v === 'number' && Number.isSafeInteger(v),
  'an integer',
);
export const boolean: Check = that((v) => typeof v === 'boolean', 'true or false');

/** A number (or an integer) from `min` to `max`, both included. */
export function numberFrom(min: number, max: number, options: { integer?: boolean } = {}): Check {
  const whole = options.integer === true;
  return that(
    (v) =>
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!whole || Number.isInteger(v)) &&
      v >= min &&
      v <= max,
    `${whole ? 'an integer' : 'a number'} from ${min} to ${max}`,
  );
}

/** Exactly this value, e.g. a format name. */
export function literal(value: string | number | boolean): Check {
  return that((v) => v === value, JSON.stringify(value));
}

export function oneOf(...values: readonly (string | number)[]): Check {
  return that(
    (v) => values.includes(v as string | number),
    `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`,
  );
}

export function nullable(check: Check): Check {
  return (v, p) => {
    if (v !== null) check(v, p);
  };
}

/** Every check, in order: a shape, then rules across its fields. */
export function allOf(...checks: readonly Check[]): Check {
  return (v, p) => checks.forEach((check) => check(v, p));
}

export function arrayOf(check: Check, options: { nonEmpty?: boolean } = {}): Check {
  return (v, p) => {
    if (!Array.isArray(v) || (options.nonEmpty === true && v.length === 0))
      fail(p, options.nonEmpty === true ? 'a non-empty array' : 'an array', v);
    v.forEach((item, i) => check(item, `${p}[${i}]`));
  };
}

/** The path of a field: `key` at the top level (path ''), else `path.key`. */
export function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Any JSON value (finite numbers only). */
export const jsonValue: Check = (v, p) => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') return finiteNumber(v, p);
  if (Array.isArray(v)) return v.forEach((x, i) => jsonValue(x, `${p}[${i}]`));
  if (isPlainObject(v)) return Object.entries(v).forEach(([k, x]) => jsonValue(x, fieldPath(p, k)));
  fail(p, 'JSON data', v);
};

export const jsonObject: Check = allOf(that(isPlainObject, 'an object'), jsonValue);

type OptionalKeys<T> = {
  [K in keyof T]-?: object extends Pick<T, K> ? K : never;
}[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;

/**
 * One check per field of T, optional fields '?'-suffixed. Typed against the format's own types,
 * so a field added to the type fails the type check of its validator until the format learns it.
 */
export type Shape<T> = { [K in RequiredKeys<T> & string]: Check } & {
  [K in OptionalKeys<T> & string as `${K}?`]: Check;
};

/** A required field that is absent: "x is missing (it must be a string)". */
function missing(path: string, check: Check): never {
  try {
    check(undefined, path);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    const what = err.expected?.path === path ? err.expected.what : undefined;
    refuse(path, what ? `is missing (it must be ${what})` : 'is missing');
  }
  // A check that lets `undefined` through (none should) still may not excuse a missing field.
  refuse(path, 'is missing');
}

/**
 * A JSON object with the fields of `shape`. A missing required field fails its own check (so
 * the message says what was expected); a field the format does not know is refused, unless
 * `open` (formats another program may extend, where only the fields read here are checked).
 * `format` names the format in that refusal ("is not a deck field").
 */
export function object<T>(
  shape: Shape<T>,
  options: { open?: boolean; format?: string } = {},
): Check {
  const fields = Object.entries(shape as Record<string, Check>).map(([key, check]) => ({
    key: key.replace(/\?$/, ''),
    optional: key.endsWith('?'),
    check,
  }));
  const known = new Set(fields.map((f) => f.key));
  return (v, p) => {
    if (!isPlainObject(v)) fail(p || 'the top level', 'an object', v);
    for (const f of fields) {
      const value = v[f.key];
      if (value === undefined && f.optional) continue;
      const path = fieldPath(p, f.key);
      if (value === undefined) missing(path, f.check);
      f.check(value, path);
    }
    if (options.open === true) return;
    const extra = Object.keys(v).find((k) => !known.has(k));
    if (extra !== undefined)
      refuse(
        fieldPath(p, extra),
        options.format ? `is not a ${options.format} field` : 'is not a field this format knows',
      );
  };
}

/**
 * Some of an object's fields: the rest are not looked at. For formats whose full type lives with
 * another part of the program (e.g. the search index manifest), checking what the reader uses.
 */
export function fields(shape: Record<string, Check>): Check {
  return object<Record<string, unknown>>(shape as Shape<Record<string, unknown>>, { open: true });
}

/**
 * An object whose `tag` field picks its shape, e.g. deck items by `type`; an unknown tag is
 * refused naming the tags there are.
 */
export function tagged(tag: string, variants: Record<string, Check>): Check {
  const tags = Object.keys(variants);
  return (v, p) => {
    if (!isPlainObject(v)) fail(p || 'the top level', 'an object', v);
    const name = v[tag];
    const variant = typeof name === 'string' && Object.hasOwn(variants, name) && variants[name];
    if (!variant)
      fail(fieldPath(p, tag), `one of ${tags.map((t) => JSON.stringify(t)).join(', ')}`, name);
    variant(v, p);
  };
}

/**
 * Runs `check` on `value` (found at `path`; '' for a file's top level) and returns it as T.
 * Throws ShapeError: the caller turns it into its own PlaygroundError.
 */
export function validate<T>(value: unknown, check: Check, path = ''): T {
  check(value, path);
  return value as T;
}
