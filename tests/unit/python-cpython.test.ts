/**
 * The sandbox's Python (src/python/py/) under CPython, for what needs no Pyodide: the
 * executor's semantics and texts. The cases live in tests/python/ as plain unittest modules.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('the sandbox driver under CPython', () => {
  it('passes tests/python', () => {
    const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests/python', '-v'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    if (r.error) throw r.error;
    // unittest reports to stderr; show it when something failed.
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\nOK\b/);
  });
});

describe('the driver package as the runtime loads it', () => {
  it('lists every .py file of src/python/py/_sandbox', async () => {
    const { readdirSync } = await import('node:fs');
    const { DRIVER_FILES } = await import('../../src/python/driver-sources.ts');
    const onDisk = readdirSync(resolve(root, 'src/python/py/_sandbox'))
      .filter((f) => f.endsWith('.py'))
      .sort();
    expect(Object.keys(DRIVER_FILES).sort()).toEqual(onDisk);
  });
});
