import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox, SandboxTool } from '../../src/agent/ports.ts';

const AUTHORIZED =
  "['collections', 'datetime', 'itertools', 'math', 'queue', 'random', 're', 'stat', 'statistics', 'time', 'unicodedata', 'numpy', 'numpy.linalg', 'sympy']";
const BIG = 3_000_000;

const searches: string[] = [];
const tools: SandboxTool[] = [
  {
    name: 'web_search',
    params: ['query'],
    call: async (args) => {
      searches.push(String(args.query));
      return {
        text: `\nRetrieved documents:\n\n===== Document 0, similarity: 0.80 =====\n"${String(args.query)}"`,
        data: { n: 1 },
      };
    },
  },
  {
    name: 'big',
    params: ['n'],
    call: async (args) => ({ text: 'x'.repeat(Number(args.n)) + 'END' }),
  },
  {
    name: 'broken',
    params: [],
    call: async () => {
      throw new Error('index not loaded');
    },
  },
];

let sb: PythonSandbox;
beforeAll(async () => {
  sb = createNodeSandbox({ tools });
  await sb.start();
});
afterAll(async () => {
  await sb.dispose();
});

describe('observations match smolagents 1.13 byte for byte', () => {
  it('captures print and the last value of an expression', async () => {
    const r = await sb.execute('x = 2\nprint("a", x, [1, "b"])\nprint()\nx * 21');
    expect(r).toMatchObject({
      status: 'ok',
      logs: "a 2 [1, 'b']\n\n",
      output: '42',
      stateLost: false,
    });
  });

  it('ignores print keyword arguments like smolagents', async () => {
    const r = await sb.execute('print("a", "b", sep="-", end="")');
    expect(r.logs).toBe('a b\n');
    expect(r.output).toBe('None');
  });

  it('reports the assigned value of an assignment, annotated and augmented assignment', async () => {
    expect((await sb.execute('a, b = 1, 2')).output).toBe('(1, 2)');
    expect((await sb.execute('c: int = 7')).output).toBe('7');
    expect((await sb.execute('c += 3')).output).toBe('10');
    expect((await sb.execute('d = {"k": [1]}\nd["k"] += [2]')).output).toBe('[1, 2]');
    expect((await sb.execute('def f():\n    return 1')).output).toMatch(
      /^<function create_function\.<locals>\.new_func at 0x[0-9a-f]+>$/,
    );
  });

  it('formats a runtime error with the failing top-level statement', async () => {
    const r = await sb.execute('print("before")\ny = 1 / 0\nprint("after")');
    expect(r.status).toBe('error');
    expect(r.logs).toBe('before\n');
    expect(r.error).toEqual({
      kind: 'runtime',
      type: 'ZeroDivisionError',
      message:
        "Code execution failed at line 'y = 1 / 0' due to: ZeroDivisionError: division by zero",
    });
  });

  it('reports the whole multi-line statement when an error happens inside it', async () => {
    const r = await sb.execute('for i in range(3):\n    z = [1][i]');
    expect(r.error?.message).toBe(
      "Code execution failed at line 'for i in range(3):\n    z = [1][i]' due to: InterpreterError: Could not index [1] with '1': IndexError: list index out of range",
    );
  });

  it('words an undefined name the way smolagents does', async () => {
    const r = await sb.execute('print(nope)');
    expect(r.error?.message).toBe(
      "Code execution failed at line 'print(nope)' due to: InterpreterError: The variable `nope` is not defined.",
    );
  });

  it('formats a syntax error exactly', async () => {
    const r = await sb.execute('x = = 2');
    expect(r.error).toEqual({
      kind: 'syntax',
      type: 'SyntaxError',
      message:
        'Code parsing failed on line 1 due to: SyntaxError\nx = = 2\n     ^\nError: invalid syntax (<unknown>, line 1)',
    });
    const r2 = await sb.execute('print(1)\nif x\n    y = 1');
    expect(r2.error?.message).toBe(
      "Code parsing failed on line 2 due to: SyntaxError\nif x\n     ^\nError: expected ':' (<unknown>, line 2)",
    );
    expect(r2.logs).toBe('');
  });

  it('truncates huge prints to the protocol form without keeping them', async () => {
    const r = await sb.execute(`print("a" * ${BIG} + "b" * ${BIG})`);
    expect(r.logs).toBe(
      'a'.repeat(25_000) +
        '\n..._This content has been truncated to stay below 50000 characters_...\n' +
        'b'.repeat(24_999) +
        '\n',
    );
    const many = await sb.execute('for i in range(200000):\n    print(i)');
    const full = Array.from({ length: 200_000 }, (_, i) => `${i}\n`).join('');
    expect(many.logs).toBe(
      full.slice(0, 25_000) +
        '\n..._This content has been truncated to stay below 50000 characters_...\n' +
        full.slice(-25_000),
    );
  });

  it('truncates a long last value at 20,000 characters', async () => {
    const r = await sb.execute('"x" * 30000');
    expect(r.output).toBe(
      'x'.repeat(10_000) +
        '\n..._This content has been truncated to stay below 20000 characters_...\n' +
        'x'.repeat(10_000),
    );
  });
});

describe('checkSyntax', () => {
  it('parses with the sandbox Python and runs nothing', async () => {
    await sb.execute('probe = 0');
    expect(await sb.checkSyntax('probe = 1\nprint(probe)')).toBe(true);
    expect(await sb.checkSyntax('Thought: I will search.\nweb_search("x")')).toBe(false);
    expect(await sb.checkSyntax('match x:\n    case 1:\n        pass')).toBe(true);
    expect((await sb.execute('probe')).output).toBe('0');
  });
});

describe('final_answer', () => {
  it('stops at once and keeps what was printed before', async () => {
    const r = await sb.execute('print("working")\nfinal_answer(6 * 7)\nprint("never")');
    expect(r).toMatchObject({
      status: 'final',
      logs: 'working\n',
      output: '42',
      finalAnswer: { text: '42', type: 'int' },
    });
  });

  it('works from inside a function and with a keyword argument', async () => {
    const r = await sb.execute('def done():\n    final_answer(answer="Paris")\ndone()');
    expect(r.finalAnswer).toEqual({ text: 'Paris', type: 'str' });
  });
});

describe('imports', () => {
  it('allows the authorized modules and their submodules', async () => {
    const r = await sb.execute(
      'import collections, datetime, itertools, math, queue, random, re, stat, statistics, time, unicodedata\n' +
        'from collections import Counter\nimport collections.abc\nCounter("aab").most_common(1)[0][0] + str(math.floor(2.5))',
    );
    expect(r.output).toBe('a2');
  });

  it('rejects other modules with the smolagents message', async () => {
    const r = await sb.execute('import os');
    expect(r.error).toEqual({
      kind: 'policy',
      type: 'InterpreterError',
      message: `Code execution failed at line 'import os' due to: InterpreterError: Import of os is not allowed. Authorized imports are: ${AUTHORIZED}`,
    });
    const r2 = await sb.execute('from subprocess import run');
    expect(r2.error?.message).toBe(
      `Code execution failed at line 'from subprocess import run' due to: InterpreterError: Import from subprocess is not allowed. Authorized imports are: ${AUTHORIZED}`,
    );
  });

  it('gives a clean ModuleNotFoundError for an allowed package that is not installed', async () => {
    const r = await sb.execute('import numpy as np');
    expect(r.status).toBe('error');
    expect(r.error?.message).toBe(
      "Code execution failed at line 'import numpy as np' due to: ModuleNotFoundError: No module named 'numpy'",
    );
  });
});

describe('tools are plain synchronous functions', () => {
  it('calls a tool positionally and by keyword and records each call', async () => {
    searches.length = 0;
    const r = await sb.execute(
      'r1 = web_search("Eiffel tower")\nr2 = web_search(query="Louvre")\nprint(r1.split("\\n")[-1])\nlen(r2) > 10',
    );
    expect(r.status).toBe('ok');
    expect(r.logs).toBe('"Eiffel tower"\n');
    expect(r.output).toBe('True');
    expect(searches).toEqual(['Eiffel tower', 'Louvre']);
    expect(r.toolCalls.map((c) => [c.name, c.args, c.data])).toEqual([
      ['web_search', { query: 'Eiffel tower' }, { n: 1 }],
      ['web_search', { query: 'Louvre' }, { n: 1 }],
    ]);
    expect(r.toolCalls[0]?.text).toContain('Retrieved documents:');
    expect(r.toolCalls[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes a result larger than the shared buffer intact', async () => {
    const r = await sb.execute('s = big(2500000)\nlen(s), s[-3:]');
    expect(r.output).toBe("(2500003, 'END')");
  });

  it('turns a failing tool into a Python exception with its message', async () => {
    const r = await sb.execute('broken()');
    expect(r.error?.message).toBe(
      "Code execution failed at line 'broken()' due to: RuntimeError: broken failed: index not loaded",
    );
    const caught = await sb.execute(
      'try:\n    broken()\nexcept RuntimeError as e:\n    print("caught", e)',
    );
    expect(caught.logs).toBe('caught broken failed: index not loaded\n');
  });

  it('checks tool arguments like a Python function', async () => {
    const r = await sb.execute('web_search("a", "b")');
    expect(r.error?.type).toBe('TypeError');
    const r2 = await sb.execute('web_search(q="a")');
    expect(r2.error?.message).toContain("web_search() got an unexpected keyword argument 'q'");
  });

  it('never hands Python a JavaScript object', async () => {
    const r = await sb.execute('type(web_search).__name__, type(web_search("x")).__name__');
    expect(r.output).toBe("('function', 'str')");
  });
});

describe('state', () => {
  it('persists variables, functions and imports across executions, and reset forgets them', async () => {
    await sb.execute('import math\nkept = [1, 2]\ndef twice(v):\n    return 2 * v');
    expect((await sb.execute('kept.append(3)\ntwice(len(kept)) + math.floor(0.5)')).output).toBe(
      '6',
    );
    await sb.reset();
    const r = await sb.execute('kept');
    expect(r.error?.message).toContain('The variable `kept` is not defined.');
    expect((await sb.execute('math')).status).toBe('error');
  });
});

describe('self-consistent action generation', () => {
  it('runs candidates on isolated copies of the pre-step state', async () => {
    await sb.reset();
    await sb.execute(
      'items = [1, 2]\nnested = {"a": [0]}\ncounter = 0\ndef bump():\n    global counter\n    counter += 1\n    return counter',
    );
    const results = await sb.executeCandidates([
      'items.append(3)\nnested["a"].append(1)\nprint(items, nested)\nbump()',
      'items.append(4)\nprint(items, nested)\nbump()',
      'print(items)\nfinal_answer(len(items))',
      '1 / 0',
    ]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'final', 'error']);
    expect(results[0]?.logs).toBe("[1, 2, 3] {'a': [0, 1]}\n");
    expect(results[1]?.logs).toBe("[1, 2, 4] {'a': [0]}\n");
    expect(results[0]?.output).toBe('1');
    expect(results[1]?.output).toBe('1');
    expect(results[2]?.logs).toBe('[1, 2]\n');
    const main = await sb.execute('print(items, nested, counter)');
    expect(main.logs).toBe("[1, 2] {'a': [0]} 0\n");
  });

  it('gives every candidate its own copy of the classes the task defined', async () => {
    await sb.reset();
    await sb.execute(
      [
        'count = 0',
        'class Counter:',
        '    registry = []',
        '    def __init__(self):',
        '        Counter.registry.append(self)',
        '    def bump(self):',
        '        global count',
        '        count += 1',
        '        return count',
        'class Loud(Counter):',
        '    def bump(self):',
        '        return super().bump() * 10',
        'c = Loud()',
      ].join('\n'),
    );
    const results = await sb.executeCandidates([
      'Counter.label = "a"\nLoud()\nprint(len(Counter.registry), c.bump(), count, isinstance(c, Counter), Counter.registry[0] is c)',
      'print(len(Counter.registry), hasattr(Counter, "label"), c.bump(), count)',
    ]);
    expect(results.map((r) => r.logs)).toEqual(['2 10 1 True True\n', '1 False 10 1\n']);
    // The task itself is untouched, and the adopted candidate's classes and globals carry on.
    expect(
      (await sb.execute('print(len(Counter.registry), count, hasattr(Counter, "label"))')).logs,
    ).toBe('1 0 False\n');
    await sb.executeCandidates(['Counter.label = "a"\nLoud()\nc.bump()']);
    await sb.adoptCandidate(0);
    expect(
      (
        await sb.execute(
          'print(len(Counter.registry), count, Counter.label, c.bump(), type(c).__name__)',
        )
      ).logs,
    ).toBe('2 1 a 20 Loud\n');
  });

  it('adopts the winner state without running it again', async () => {
    await sb.reset();
    await sb.execute('runs = []\nn = 0');
    const results = await sb.executeCandidates([
      'n += 1\nruns.append("a")\nprint("ran a")',
      'n += 10\nruns.append("b")',
    ]);
    expect(results[0]?.logs).toBe('ran a\n');
    await sb.adoptCandidate(1);
    const after = await sb.execute('print(n, runs)');
    expect(after.logs).toBe("10 ['b']\n");
    // Functions defined in the adopted candidate see the adopted globals.
    await sb.executeCandidates(['def get():\n    return n\nn = 5']);
    await sb.adoptCandidate(0);
    expect((await sb.execute('n = 6\nget()')).output).toBe('6');
  });

  it("gives every candidate the pre-step random state and adopts the winner's", async () => {
    await sb.reset();
    await sb.execute('import random\nrandom.seed(7)');
    const expected = (await sb.executeCandidates(['[random.random() for _ in range(3)]'])).map(
      (r) => r.output,
    );
    await sb.execute('random.seed(7)');
    const results = await sb.executeCandidates([
      '[random.random() for _ in range(3)]',
      '[random.random() for _ in range(3)]',
    ]);
    expect(results.map((r) => r.output)).toEqual([expected[0], expected[0]]);
    await sb.adoptCandidate(1);
    const next = await sb.execute('random.random()');
    await sb.execute('random.seed(7)\n[random.random() for _ in range(3)]');
    expect(next.output).toBe((await sb.execute('random.random()')).output);
  });

  it('fails only the candidate whose state cannot be copied', async () => {
    await sb.reset();
    await sb.execute(
      'class Stubborn:\n    def __deepcopy__(self, memo):\n        raise ValueError("no copies")\ns = Stubborn()\nxs = [1]',
    );
    const [r] = await sb.executeCandidates(['xs.append(2)\nlen(xs), type(s).__name__']);
    expect(r?.output).toBe("(2, 'Stubborn')");
    expect((await sb.execute('xs')).output).toBe('[1]');
  });

  it('rejects an index that the last batch did not produce', async () => {
    await sb.executeCandidates(['1']);
    await expect(sb.adoptCandidate(3)).rejects.toMatchObject({ code: 'bad_input' });
    await sb.execute('1');
    await expect(sb.adoptCandidate(0)).rejects.toMatchObject({ code: 'bad_input' });
  });
});
