/**
 * Whole observations, byte for byte, from the real Pyodide sandbox: what the model reads after
 * each kind of statement, written from the reference interpreter (docs/protocol.md section 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionObservation } from '../../src/agent/observation.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';

let sb: PythonSandbox;
beforeAll(async () => {
  sb = createNodeSandbox({
    tools: [{ name: 'web_search', params: ['query'], call: async () => ({ text: 'doc' }) }],
  });
  await sb.start();
});
afterAll(async () => {
  await sb.dispose();
});

async function observe(code: string, step = 1): Promise<string> {
  return executionObservation(step, await sb.execute(code));
}

const ok = (logs: string, last: string, step = 1) =>
  `Call id: call_${step}\nObservation:\nExecution logs:\n${logs}Last output from code snippet:\n${last}`;
const retry =
  "\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n";
const failed = (line: string, text: string, step = 1) =>
  `Call id: call_${step}\nError:\nCode execution failed at line '${line}' due to: ${text}${retry}`;

describe('the last output of each statement kind', () => {
  for (const [code, logs, last] of [
    ['total = 0\nfor i in range(4):\n    total += i', '', '6'],
    ['x = 3\nif x > 2:\n    y = x * 10', '', '30'],
    ['x = 1\nif x > 2:\n    y = 1\nelif x > 0:\n    y = 2\nelse:\n    y = 3', '', '2'],
    ['for i in range(3):\n    print(i)', '0\n1\n2\n', 'None'],
    ['for i in range(3):\n    if i == 1:\n        z = 10\n        break', '', 'None'],
    ['n = 0\nwhile n < 3:\n    n += 1', '', 'None'],
    ['try:\n    v = 1 / 0\nexcept ZeroDivisionError:\n    v = 0', '', 'None'],
    [
      'class Box:\n    def get(self):\n        return 1',
      '',
      "<class 'smolagents.local_python_executor.Box'>",
    ],
    ['c: int = 7', '', '7'],
    ['count += 2', '', '2'],
    ['print("a", 1)', 'a 1\n', 'None'],
  ] as const) {
    it(JSON.stringify(code), async () => {
      expect(await observe(code)).toBe(ok(logs, last));
    });
  }

  it('def shows the function the way the reference prints it', async () => {
    expect(await observe('def add(a, b):\n    return a + b')).toMatch(
      /^Call id: call_1\nObservation:\nExecution logs:\nLast output from code snippet:\n<function create_function\.<locals>\.new_func at 0x[0-9a-f]+>$/,
    );
    expect(await observe('add(2, 3)', 2)).toBe(ok('', '5', 2));
  });
});

describe('errors in the reference words', () => {
  for (const [code, line, text] of [
    [
      'undefined_fn(1)',
      'undefined_fn(1)',
      'InterpreterError: It is not permitted to evaluate other functions than the provided tools or functions defined/imported in previous code (tried to execute undefined_fn).',
    ],
    [
      "d = {'alpha': 1}\nd['alpah']",
      "d['alpah']",
      "InterpreterError: Could not index {'alpha': 1} with 'alpah': KeyError: 'alpah'. Maybe you meant one of these indexes instead: ['alpha']",
    ],
    ['x = 5\nx.missing()', 'x.missing()', 'InterpreterError: Object 5 has no attribute missing'],
    [
      'web_search = 1',
      'web_search = 1',
      "InterpreterError: Cannot assign to name 'web_search': doing this would erase the existing tool!",
    ],
    ['yield 1', 'yield 1', 'InterpreterError: Yield is not supported.'],
    ['a, b = [1, 2, 3]', 'a, b = [1, 2, 3]', 'InterpreterError: Cannot unpack tuple of wrong size'],
    ['a, b = 5', 'a, b = 5', 'InterpreterError: Cannot unpack non-tuple value'],
    ['return 3', 'return 3', 'ReturnException: 3'],
    [
      'print(never_defined_anywhere)',
      'print(never_defined_anywhere)',
      'InterpreterError: The variable `never_defined_anywhere` is not defined.',
    ],
  ] as const) {
    it(JSON.stringify(code), async () => {
      expect(await observe(code)).toBe(failed(line, text));
    });
  }

  it('keeps what was printed before the error', async () => {
    expect(await observe('print("before")\n[1][3]')).toBe(
      'Call id: call_1\nObservation:\nExecution logs:\nbefore\n' +
        failed(
          '[1][3]',
          "InterpreterError: Could not index [1] with '3': IndexError: list index out of range",
        ),
    );
  });
});

describe('a syntax error', () => {
  it("shows the previous step's logs, as the reference does", async () => {
    await sb.execute('print("from step 1")');
    const r = await sb.execute('x = (');
    expect(r.logs).toBe('from step 1\n');
    expect(r.error?.message).toMatch(/^Code parsing failed on line 1 due to: SyntaxError\n/);
  });
});

describe('name lookup', () => {
  it('inside a comprehension and a function body too', async () => {
    expect(await observe('values = [1, 2]\n[v * 2 for v in valuse]')).toBe(ok('', '[2, 4]'));
    expect(await observe('def total():\n    return sum(valus)\ntotal()')).toBe(ok('', '3'));
  });

  it('a misspelt variable resolves to the closest one and the code runs on', async () => {
    expect(await observe('numbers = [1, 2, 3]\nprint(nubers)\nlen(numbrs)')).toBe(
      ok('[1, 2, 3]\n', '3'),
    );
  });
});
