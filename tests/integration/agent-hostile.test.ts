/**
 * Hostile code through the whole agent: each attempt ends as an error observation within the
 * time limit, the run goes on, and the next step of the same task still works.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import type { PythonSandbox } from '../../src/agent/ports.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const profile = getPromptProfile('distilled');
const fence = (code: string): string => `Thought: t\nCode:\n\`\`\`py\n${code}\n\`\`\``;
const TIMEOUT_S = 2;
// Long, so that an interrupt landing late on a loaded machine is not mistaken for one that never
// lands (which restarts the interpreter and loses `keep`).
const GRACE_MS = 5000;

let sandbox: PythonSandbox;
let server: FakeOpenAIServer | undefined;
beforeAll(async () => {
  sandbox = createNodeSandbox({ interruptGraceMs: GRACE_MS });
  await sandbox.start();
});
afterAll(async () => sandbox.dispose());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Case {
  name: string;
  code: string;
  /** What the error observation must say. */
  expect: RegExp;
  /** The interpreter had to be restarted, so `keep` is gone afterwards. */
  restarts?: boolean;
}

const cases: Case[] = [
  {
    name: 'import js',
    code: 'import js\njs.process.exit(1)',
    expect: /Import of js is not allowed/,
  },
  { name: 'import pyodide', code: 'import pyodide', expect: /Import of pyodide is not allowed/ },
  {
    name: 'from pyodide_js',
    code: 'from pyodide_js import loadPackage',
    expect: /due to: InterpreterError: Import from pyodide_js is not allowed/,
  },
  { name: 'import _pyodide', code: 'import _pyodide', expect: /Import of _pyodide is not allowed/ },
  { name: 'import micropip', code: 'import micropip', expect: /Import of micropip is not allowed/ },
  {
    name: '__import__',
    code: '__import__("js")',
    expect: /due to: InterpreterError: Forbidden access to name: __import__/,
  },
  {
    name: 'importlib',
    code: 'import importlib\nimportlib.import_module("js")',
    expect: /Import of importlib is not allowed/,
  },
  {
    name: 'sys.modules',
    code: 'import sys\nsys.modules["js"]',
    expect: /Import of sys is not allowed/,
  },
  {
    name: '__subclasses__ walk',
    code: '().__class__.__base__.__subclasses__()',
    expect: /due to: InterpreterError: Forbidden access to attribute: __subclasses__/,
  },
  {
    name: '__globals__ walk',
    code: 'def f(): pass\nf.__globals__["__builtins__"]',
    expect: /due to: InterpreterError: Forbidden access to attribute: __globals__/,
  },
  {
    name: '__builtins__',
    code: '__builtins__["__import__"]("js")',
    expect: /due to: InterpreterError: Forbidden access to name: __builtins__/,
  },
  {
    name: 'getattr with a built-up name',
    code: 'getattr((), "__cl" + "ass__")',
    expect: /due to: InterpreterError: Forbidden access to attribute: __class__/,
  },
  {
    name: 'open a host file',
    code: 'open("/etc/passwd").read()',
    expect:
      /due to: InterpreterError: It is not permitted to evaluate other functions .*\(tried to execute open\)/,
  },
  { name: 'while True', code: 'while True:\n    pass', expect: /due to: .*time limit/ },
  {
    name: 'time.sleep(100)',
    code: 'import time\ntime.sleep(100)',
    expect: /restarted.*lost/s,
    restarts: true,
  },
  { name: "'a' * 10**10", code: "s = 'a' * 10**10", expect: /due to: (MemoryError|OverflowError)/ },
  {
    name: 'deep recursion',
    code: 'def f(n):\n    return f(n + 1)\nf(0)',
    expect: /due to: RecursionError/,
  },
];

describe('hostile code through the agent', () => {
  for (const c of cases) {
    it(
      c.name,
      async () => {
        server = await startFakeOpenAIServer({
          script: [
            fence('keep = 5'),
            fence(c.code),
            fence('final_answer(keep)'),
            fence('final_answer("fresh")'),
          ],
        });
        const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' });
        const started = Date.now();
        const record = await runAgent({
          question: 'Q',
          engine,
          sandbox,
          profile,
          pythonTimeoutMs: TIMEOUT_S * 1000,
          maxSteps: 4,
        });
        const hostile = record.steps[1];
        expect(hostile?.execution?.status).toBe('error');
        expect(hostile?.observation).toMatch(/^Call id: call_2\n/);
        expect(hostile?.observation).toMatch(c.expect);
        expect(hostile?.observation).toContain("Now let's retry");
        // Within the limit (plus the grace period and restart, when there is one).
        expect(hostile?.execution?.durationMs ?? Infinity).toBeLessThan(
          TIMEOUT_S * 1000 + GRACE_MS + 10_000,
        );
        expect(record.status).toBe('answered');
        expect(record.answer).toBe(c.restarts ? 'fresh' : '5');
        expect(Date.now() - started).toBeLessThan(30_000);
      },
      40_000,
    );
  }

  it('a 10 MB print ends truncated, and the run goes on', async () => {
    server = await startFakeOpenAIServer({
      script: [fence('keep = 5'), fence("print('x' * 10_000_000)"), fence('final_answer(keep)')],
    });
    const engine = createOpenAIEngine({ baseUrl: server.baseUrl, model: 'm' });
    const record = await runAgent({
      question: 'Q',
      engine,
      sandbox,
      profile,
      pythonTimeoutMs: 10_000,
    });
    const obs = record.steps[1]?.observation ?? '';
    expect(obs).toContain(
      '\n..._This content has been truncated to stay below 50000 characters_...\n',
    );
    expect(obs.length).toBeLessThan(51_000);
    expect(record.answer).toBe('5');
  });
});
