import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';
import { createWebSearchTool, type LocalIndex } from '../../src/search/index.ts';
import { buildIndexFromFiles, openLocalIndex } from '../../src/search/node/index.ts';

const INPUTS = join(import.meta.dirname, '../fixtures/search/inputs');

describe('the agent calling web_search from Python (real Pyodide sandbox)', () => {
  let work: string;
  let index: LocalIndex;
  let sandbox: PythonSandbox;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'search-sandbox-'));
    await buildIndexFromFiles({ inputs: [INPUTS], out: join(work, 'index') });
    index = await openLocalIndex(join(work, 'index'));
    sandbox = createNodeSandbox({ tools: [createWebSearchTool(index)] });
    await sandbox.start();
  });

  afterAll(async () => {
    await sandbox?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('returns the protocol text as a Python str, byte for byte', async () => {
    const expected = (
      await createWebSearchTool(index).call({ query: 'Where did Aretha Franklin die?' })
    ).text;
    const result = await sandbox.execute(
      'r = web_search("Where did Aretha Franklin die?")\nprint(r)\ntype(r).__name__',
    );
    expect(result.status).toBe('ok');
    expect(result.logs).toBe(`${expected}\n`);
    expect(result.output).toBe('str');
    expect(result.toolCalls.map((c) => [c.name, c.args])).toEqual([
      ['web_search', { query: 'Where did Aretha Franklin die?' }],
    ]);
    expect(result.toolCalls[0]?.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ title: 'Aretha Franklin' })]),
    );
  });

  it('takes the query by keyword too, and answers bad queries with text instead of raising', async () => {
    const result = await sandbox.execute(
      'print(web_search(query="West of Shanghai director")[:39])\nweb_search(42)',
    );
    expect(result.status).toBe('ok');
    expect(result.logs).toBe('\nRetrieved documents:\n\n===== Document 0\n');
    expect(result.output).toMatch(/^web_search needs a string query, but got a number\./);
  });
});
