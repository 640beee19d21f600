import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

describe('eval on a benchmark file with no questions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'empty-bench-'));
  it.each([
    ['empty.jsonl', ''],
    ['blank.jsonl', '\n\n'],
    ['paper.json', '{"metadata": {}, "examples": []}'],
    ['list.json', '[]'],
  ])('%s: says so and exits non-zero', async (name, text) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const out = join(dir, `run-${name}`);
    const { code, stderr } = await runCli([
      'eval',
      '--bench',
      file,
      '--kind',
      'math',
      '--out',
      out,
      '--base-url',
      'http://127.0.0.1:9/v1',
      '--model',
      'm',
    ]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/no questions|nothing to evaluate/i);
    expect(stderr).toContain(name);
  });
});
