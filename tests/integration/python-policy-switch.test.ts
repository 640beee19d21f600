/**
 * PLAYGROUND_PYTHON_POLICY=off (src/python/python-policy.ts): model code may import js, which the
 * wall tests rely on; the default keeps the policy on. The switch's parsing is tested here too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import { parsePythonPolicy, PYTHON_POLICY_OFF_WARNING } from '../../src/python/python-policy.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';

const open: PythonSandbox[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
});

function sandbox(policy: 'on' | 'off'): PythonSandbox {
  const sb = createNodeSandbox({
    pythonPolicy: policy,
    tools: [{ name: 'web_search', params: ['query'], call: async () => ({ text: 'doc' }) }],
  });
  open.push(sb);
  return sb;
}

describe('the Python policy switch', () => {
  it('reads on/off and refuses anything else', () => {
    expect(parsePythonPolicy(undefined)).toBe('on');
    expect(parsePythonPolicy('')).toBe('on');
    expect(parsePythonPolicy('OFF')).toBe('off');
    expect(() => parsePythonPolicy('no')).toThrow(/must be "on" or "off"/);
  });

  it('off: model code reaches JavaScript in the realm, and tools still work', async () => {
    const sb = sandbox('off');
    const r = await sb.execute('import js\nint(js.Math.max(1, 5))');
    expect(r.error?.message).toBeUndefined();
    expect(r.output).toBe('5');
    // run_js is eval; the Node wall runs the child with code generation from strings disallowed.
    const run = await sb.execute('from pyodide.code import run_js\nrun_js("6 * 7")');
    expect(run.status).toBe('error');
    expect(run.error?.message).toMatch(/Code generation from strings disallowed/);
    const tool = await sb.execute('print(web_search("x"))\nfinal_answer(1)');
    expect(tool.logs).toBe('doc\n');
    expect(tool.status).toBe('final');
  });

  it('on (the default): import js is refused with the reference text', async () => {
    const r = await sandbox('on').execute('import js');
    expect(r.status).toBe('error');
    expect(r.error?.message).toContain('Import of js is not allowed.');
  });

  it('the environment variable turns it off for the CLI, with one warning on stderr', () => {
    const script = [
      "import { createNodeSandbox } from './src/python/node-sandbox.ts';",
      'const a = createNodeSandbox(); const b = createNodeSandbox();',
      "const r = await a.execute('import js\\nint(js.Math.max(2, 3))');",
      'console.log(r.output); await a.dispose(); await b.dispose();',
    ].join('\n');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: resolve(import.meta.dirname, '../..'),
        encoding: 'utf8',
        env: { ...process.env, PLAYGROUND_PYTHON_POLICY: 'off' },
        timeout: 120_000,
      },
    );
    expect(r.stdout.trim()).toBe('3');
    expect(r.stderr.split(PYTHON_POLICY_OFF_WARNING).length - 1).toBe(1);
  });
});
