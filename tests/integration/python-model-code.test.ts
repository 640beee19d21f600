/**
 * Python-level holes (issue 11) in the real Pyodide sandbox: model code that rebinds the tools or
 * print, odd tool arguments, a KeyboardInterrupt of its own, and routes by which a JavaScript
 * object could reach Python. Each ends as an observation and the next step works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/json.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';

const calls: Record<string, JsonValue>[] = [];
let sb: PythonSandbox;
beforeAll(async () => {
  sb = createNodeSandbox({
    tools: [
      {
        name: 'web_search',
        params: ['query'],
        call: async (args) => {
          calls.push(args);
          return { text: `passages for ${JSON.stringify(args.query)}` };
        },
      },
    ],
  });
  await sb.start();
});
afterAll(async () => {
  await sb.dispose();
});

async function stillWorks(): Promise<void> {
  const r = await sb.execute('print("alive")\nweb_search("q")');
  expect(r.logs).toBe('alive\n');
  expect(r.output).toBe('passages for "q"');
  const f = await sb.execute('final_answer("done")');
  expect(f.status).toBe('final');
  expect(f.finalAnswer?.text).toBe('done');
}

const refused = (name: string, line: string) =>
  `Code execution failed at line '${line}' due to: InterpreterError: Cannot assign to name '${name}': doing this would erase the existing tool!`;

describe('rebinding tools and builtins', () => {
  for (const [name, line] of [
    ['web_search', 'web_search = "mine"'],
    ['final_answer', 'final_answer = 42'],
    ['print', 'print = None'],
    ['web_search', 'web_search, x = 1, 2'],
    ['print', 'print += 1'],
    ['final_answer', 'for final_answer in range(3):\n    pass'],
  ] as const) {
    it(`refuses ${JSON.stringify(line)} with the reference's text`, async () => {
      const r = await sb.execute(line);
      expect(r.status).toBe('error');
      expect(r.error?.message).toBe(refused(name, line));
      await stillWorks();
    });
  }

  it('refuses it inside a function body too, when the body runs', async () => {
    const code = 'def f():\n    sum = 0\n    return sum\nf()';
    const r = await sb.execute(code);
    expect(r.error?.message).toBe(
      "Code execution failed at line 'f()' due to: InterpreterError: Cannot assign to name 'sum': doing this would erase the existing tool!",
    );
  });

  for (const code of [
    'def final_answer(x):\n    return "hijacked"',
    'def web_search(q):\n    return "fake"',
    'def print(*a):\n    pass',
    'import math as print',
    'del print',
    'class print:\n    pass',
    'try:\n    1/0\nexcept Exception as web_search:\n    pass',
  ]) {
    it(`a binding the reference ignores leaves the tools intact: ${JSON.stringify(code)}`, async () => {
      await sb.execute(code);
      await stillWorks();
    });
  }

  it('keeps print working later in the same step', async () => {
    const r = await sb.execute('def print(*a):\n    return 1\nprint("still captured")');
    expect(r.logs).toBe('still captured\n');
  });
});

describe('odd tool arguments', () => {
  it('what JSON cannot carry is a clear TypeError in Python, and the step after works', async () => {
    calls.length = 0;
    for (const [arg, shown, type] of [
      ["float('nan')", 'nan', 'float'],
      ["float('-inf')", '-inf', 'float'],
      ['{1, 2}', '{1, 2}', 'set'],
      ['b"x"', "b'x'", 'bytes'],
      ["{'a': [float('nan')]}", 'nan', 'float'],
    ] as const) {
      const r = await sb.execute(`web_search(${arg})`);
      expect(r.status, arg).toBe('error');
      expect(r.error?.message).toBe(
        `Code execution failed at line 'web_search(${arg})' due to: TypeError: web_search() cannot take ${shown} for 'query': a tool argument must be a str, int, float, bool, None, or a list or dict of those (got ${type}).`,
      );
      await stillWorks();
    }
  });

  it('JSON values reach the tool as they are', async () => {
    calls.length = 0;
    for (const arg of ['10**30', 'None', "[1, 'a']", "{'k': 2.5}", 'True']) {
      const r = await sb.execute(`web_search(${arg})`);
      expect(r.status, arg).toBe('ok');
    }
    expect(calls.map((c) => c.query)).toEqual([1e30, null, [1, 'a'], { k: 2.5 }, true]);
  });

  it('reports a wrong call the way Python does', async () => {
    const r = await sb.execute('web_search()');
    expect(r.error?.message).toBe(
      "Code execution failed at line 'web_search()' due to: TypeError: web_search() missing required argument: 'query'",
    );
  });
});

describe('a KeyboardInterrupt the code raises', () => {
  for (const code of ['raise KeyboardInterrupt', 'raise KeyboardInterrupt("stop")']) {
    it(`is an error observation, not a time-out: ${code}`, async () => {
      const r = await sb.execute(`x_before = 1\n${code}`);
      expect(r.status).toBe('error');
      expect(r.error?.kind).toBe('runtime');
      expect(r.error?.type).toBe('KeyboardInterrupt');
      expect(r.error?.message).toBe(
        `Code execution failed at line '${code}' due to: KeyboardInterrupt: ${code.includes('stop') ? 'stop' : ''}`,
      );
      expect(r.stateLost).toBe(false);
      expect((await sb.execute('x_before')).output).toBe('1');
    });
  }
});

describe('no JavaScript object is reachable from Python', () => {
  it("the tools' closures hold Python objects only", async () => {
    // str.format reads attributes itself, past the policy's static checks: walk two levels.
    const code = [
      'seen = []',
      'for i in range(4):',
      '    try:',
      '        seen.append(("{0.__closure__[" + str(i) + "].cell_contents.__class__}").format(web_search))',
      '    except Exception:',
      '        pass',
      'print(seen)',
      'inner = []',
      'for i in range(4):',
      '    for j in range(4):',
      '        try:',
      '            inner.append(("{0.__closure__[" + str(i) + "].cell_contents.__closure__[" + str(j) + "].cell_contents.__class__}").format(web_search))',
      '        except Exception:',
      '            pass',
      'print(inner)',
    ].join('\n');
    const r = await sb.execute(code);
    expect(r.status, r.error?.message).toBe('ok');
    expect(r.logs).not.toMatch(/Js|pyodide|ffi/);
    expect(r.logs).toMatch(/^\[("<class '\w+'>"(, )?)+\]\n\[("<class '\w+'>"(, )?)+\]\n$/);
  });

  it('a traceback handed to __exit__ leads nowhere', async () => {
    const code = [
      'class C:',
      '    def __enter__(self):',
      '        return self',
      '    def __exit__(self, t, v, tb):',
      '        global leak',
      '        leak = tb',
      '        return True',
      'with C():',
      '    1 / 0',
      'getattr(leak, "tb_frame")',
    ].join('\n');
    const r = await sb.execute(code);
    expect(r.status).toBe('error');
    expect(r.error?.message).toContain('Forbidden access to attribute: tb_frame');
  });

  it('match captures cannot name dunder attributes', async () => {
    const r = await sb.execute('match web_search:\n    case object(__closure__=c):\n        c');
    expect(r.status).toBe('error');
    expect(r.error?.message).toContain('Forbidden access to attribute: __closure__');
  });

  it('the tool device is not a module or object model code can import', async () => {
    const r = await sb.execute('import os');
    expect(r.error?.message).toContain('Import of os is not allowed.');
  });
});
