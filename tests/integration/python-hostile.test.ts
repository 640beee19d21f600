/**
 * Escape routes from the Python sandbox to the host. Each must end as a policy (or plain Python)
 * error observation, and the sandbox must keep working afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';

const PACKAGES = process.env.PLAYGROUND_PYTHON_PACKAGES ?? '/usr/lib/python3/dist-packages';
const hasSympy = existsSync(`${PACKAGES}/sympy/__init__.py`);

let sb: PythonSandbox;
beforeAll(async () => {
  sb = createNodeSandbox({
    pythonPackagesDir: PACKAGES,
    tools: [{ name: 'web_search', params: ['query'], call: async () => ({ text: 'doc' }) }],
  });
  await sb.start();
  await sb.execute('secret = 41');
});
afterAll(async () => {
  await sb.dispose();
});

async function blocked(code: string, expected: string | RegExp): Promise<void> {
  const r = await sb.execute(code);
  expect(r.status, `${code} should fail`).toBe('error');
  expect(r.error?.message).toMatch(expected);
  // The sandbox is still usable and its state intact.
  expect((await sb.execute('secret + 1')).output).toBe('42');
}

describe('imports of the bridge to the host', () => {
  for (const mod of [
    'js',
    'pyodide',
    'pyodide_js',
    '_pyodide',
    '_pyodide_core',
    'micropip',
    'pyodide.ffi',
  ]) {
    it(`import ${mod}`, async () => {
      await blocked(`import ${mod}`, `InterpreterError: Import of ${mod} is not allowed.`);
    });
  }
  it('from js import globalThis', async () => {
    await blocked('from js import globalThis', 'InterpreterError: Import from js is not allowed.');
  });
  it('importlib, sys, os, builtins, gc, ctypes', async () => {
    for (const mod of [
      'importlib',
      'sys',
      'os',
      'builtins',
      'gc',
      'ctypes',
      'inspect',
      'subprocess',
      'io',
    ]) {
      await blocked(`import ${mod}`, `Import of ${mod} is not allowed`);
    }
  });
  it('__import__ by name', async () => {
    await blocked('__import__("js")', 'Forbidden access to name: __import__');
  });
  it('relative import', async () => {
    await blocked('from . import js', 'is not allowed');
  });
});

describe('builtins that evaluate, introspect or read files', () => {
  for (const call of [
    'eval("1")',
    'exec("x = 1")',
    'compile("1", "f", "eval")',
    'open("/etc/passwd")',
    'input()',
    'breakpoint()',
    'globals()',
    'locals()',
    'vars()',
    'help()',
    'exit()',
    'memoryview(b"x")',
  ]) {
    it(call, async () => {
      await blocked(call, 'InterpreterError: It is not permitted to evaluate other functions');
    });
  }
  it('__builtins__', async () => {
    await blocked('__builtins__["eval"]("1")', 'Forbidden access to name: __builtins__');
  });
});

describe('dunder and frame walks', () => {
  const cases: [string, string][] = [
    ['().__class__.__base__.__subclasses__()', '__subclasses__'],
    ['(1).__class__', '__class__'],
    ['object.__subclasses__()', '__subclasses__'],
    ['print.__globals__', '__globals__'],
    ['final_answer.__globals__["sys"]', '__globals__'],
    ['web_search.__closure__[0].cell_contents', 'cell_contents'],
    ['web_search.__closure__', '__closure__'],
    ['import math\nmath.__dict__', '__dict__'],
    ['import math\nmath.__loader__', '__loader__'],
    ['len.__self__', '__self__'],
    ['def g():\n    yield 1\ng().gi_frame.f_globals', 'f_globals'],
    ['def g():\n    yield 1\nx = g()\nx.gi_frame', 'gi_frame'],
    ['try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__.tb_frame', 'tb_frame'],
    ['try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__', '__traceback__'],
    ['(lambda: 0).__code__', '__code__'],
    ['type.__getattribute__(int, "__dict__")', '__getattribute__'],
    ['match 1:\n    case object(__class__=c):\n        pass', '__class__'],
    ['import collections\ncollections._sys', '_sys'],
    ['import random\nrandom._os', '_os'],
    ['class A: pass\nA.mro()', 'mro'],
  ];
  for (const [code, attr] of cases) {
    it(code, async () => {
      await blocked(code, `InterpreterError: Forbidden access to attribute: ${attr}`);
    });
  }
});

describe('built-up names and runtime value checks', () => {
  it('getattr with a computed dunder', async () => {
    await blocked(
      'getattr(print, "__glo" + "bals__")',
      'Forbidden access to attribute: __globals__',
    );
  });
  it('getattr with a frame attribute', async () => {
    await blocked(
      'def g():\n    yield 1\ngetattr(g(), "gi_" + "frame")',
      'Forbidden access to attribute: gi_frame',
    );
  });
  it('setattr and delattr with private names', async () => {
    await blocked(
      'class A: pass\nsetattr(A, "__init_subclass__", 1)',
      'Forbidden access to attribute',
    );
    await blocked('import math\ndelattr(math, "_x")', 'Forbidden access to attribute');
  });
  it('a forbidden module reached through an allowed one', async () => {
    await blocked('import statistics\nstatistics.sys.modules', 'Forbidden access to module: sys');
  });
  it('a forbidden module imported by name from an allowed one', async () => {
    await blocked('from statistics import sys', 'Forbidden access to module: sys');
  });
  it('a forbidden module kept in a container', async () => {
    await blocked('import statistics\n[statistics][0].sys', 'Forbidden access to module: sys');
  });
  it('shared modules cannot be patched', async () => {
    await blocked(
      'import math\nmath.floor = print',
      'Forbidden assignment to an attribute of module math',
    );
    await blocked(
      'import math\nmath.pi += 1',
      'Forbidden assignment to an attribute of module math',
    );
    await blocked(
      'import math\ndel math.tau',
      'Forbidden assignment to an attribute of module math',
    );
    await blocked(
      'import math\nsetattr(math, "e", 3)',
      'Forbidden assignment to an attribute of module math',
    );
    expect((await sb.execute('import math\nmath.floor(2.5), round(math.pi, 2)')).output).toBe(
      '(2, 3.14)',
    );
    const ok = await sb.execute('class P:\n    pass\np = P()\np.x = 1\np.x += 1\np.x');
    expect(ok.output).toBe('2');
  });
  it('string formatting cannot call anything', async () => {
    const r = await sb.execute('"{0.__class__}".format(1)');
    expect(r.output).toBe("<class 'int'>");
  });
});

describe.skipIf(!hasSympy)('library code that evaluates strings (sympy)', () => {
  beforeAll(async () => {
    const r = await sb.execute('import sympy\nx = sympy.Symbol("x")');
    expect(r.status).toBe('ok');
  });
  it('sympify still works for maths', async () => {
    expect((await sb.execute('sympy.sympify("x**2 + 2*x").subs(x, 3)')).output).toBe('15');
    expect((await sb.execute('sympy.lambdify(x, x**2 + 1)(3)')).output).toBe('10');
  });
  it('sympify with a dunder walk', async () => {
    await blocked(
      'sympy.sympify("Integer(1).__class__")',
      'Forbidden access to attribute: __class__',
    );
  });
  it('sympify with real builtins', async () => {
    await blocked('sympy.sympify("open(\'/etc/passwd\')")', 'Forbidden function evaluation: open');
    await blocked(
      'sympy.parse_expr("getattr(x, \'__class__\')")',
      'Forbidden function evaluation: getattr',
    );
  });
  it('sympify importing a module', async () => {
    const r = await sb.execute('sympy.sympify("__import__(\'os\')")');
    // parse_expr turns the name into a Symbol; what matters is that no module comes back.
    expect(r.output).not.toContain('module');
  });
  it('lambdify of a symbol whose name is code', async () => {
    await blocked(
      'sympy.lambdify(x, sympy.Symbol("().__class__"))(1)',
      'Forbidden access to attribute: __class__',
    );
  });
  it('a library helper that imports any module', async () => {
    await blocked(
      'import sympy.external.importtools as it\nit.import_module("sys")',
      'Forbidden access to module: sys',
    );
  });
  it('sympify called from a __repr__ the driver invokes for the last value', async () => {
    await blocked(
      'class A:\n    def __repr__(self):\n        return str(sympy.sympify("Integer(1).__class__"))\nA()',
      "Code execution failed at line 'A()' due to: InterpreterError: Forbidden access to attribute: __class__",
    );
  });
  it('sympify called from a __deepcopy__ while SAG copies the state', async () => {
    await sb.execute(
      'class B:\n    def __deepcopy__(self, memo):\n        return sympy.sympify("Integer(1).__class__")\nb = B()',
    );
    const [r] = await sb.executeCandidates(['type(b).__name__']);
    // The copy failed the policy, so the candidate shares the original object.
    expect(r?.output).toBe('B');
    await sb.execute('del b');
  });
  it('a library helper that resolves any dotted name to a callable', async () => {
    await sb.execute('from sympy.utilities.source import get_class');
    await blocked('get_class("os.system")', 'Forbidden access to function: system');
    await blocked(
      'get_class("subprocess.Popen")',
      'Forbidden access to function: subprocess.Popen',
    );
    await blocked('get_class("builtins.eval")', 'Forbidden access to function');
    await blocked('get_class("js.eval")', 'Import from js is not allowed');
    expect((await sb.execute('get_class("sympy.Symbol")("y")')).output).toBe('y');
  });
  it('a library module that re-exports a forbidden one', async () => {
    await blocked(
      'import sympy.testing.runtests as r\nr.pdoctest',
      'Forbidden access to module: doctest',
    );
  });
});
