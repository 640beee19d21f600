/**
 * web_search in a session without an index returns one text, in the CLI and in the app
 * (docs/protocol.md section 4): a real `playground ask --no-index` against a scripted server, and
 * the tool the app builds while its index is still loading (and turns out to be absent), run in a
 * real Pyodide sandbox. The bytes are written out here, not taken from the source, so a change
 * to what the model sees fails this test.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, PythonSandbox, Retriever } from '../../src/agent/ports.ts';
import { createNodeSandbox } from '../../src/python/node-sandbox.ts';
import { createWebSearchTool } from '../../src/search/index.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NO_INDEX =
  'web_search is unavailable: this session has no Wikipedia index. Answer from what you know or compute.';
const CODE = 'print(web_search("Harvey Pekar date of birth"))';
const OBSERVATION = `Call id: call_1\nObservation:\nExecution logs:\n${NO_INDEX}\nLast output from code snippet:\nNone`;
const fence = (code: string): string => `Thought: t\nCode:\n\`\`\`py\n${code}\n\`\`\``;

describe('web_search without an index', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startFakeOpenAIServer({
      model: 'student',
      script: [fence(CODE), fence('final_answer("1939")')],
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('playground ask --no-index shows the model the one no-index text', async () => {
    const cli = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/playground.js'),
        'ask',
        'When was Harvey Pekar born?',
        '--base-url',
        server.baseUrl,
        '--model',
        'student',
        '--no-index',
        '--json',
      ],
      { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => cli.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(0);
    const record = JSON.parse(stdout) as {
      answer: string;
      steps: { execution: { toolCalls: { name: string; text: string }[] } }[];
    };
    expect(record.answer).toBe('1939');
    expect(record.steps[0]?.execution.toolCalls.map((t) => [t.name, t.text])).toEqual([
      ['web_search', NO_INDEX],
    ]);
    // What the model was sent for step 2: the observation of step 1, byte for byte.
    const second = server.completionRequests()[1]?.body.messages as ChatMessage[];
    expect(second.at(-1)).toEqual({ role: 'user', content: OBSERVATION });
  }, 120_000);

  describe("the app's tool (a promise of the index, resolved to none)", () => {
    let sandbox: PythonSandbox;
    beforeAll(async () => {
      // startBrowserSandbox's wiring: the tool is made before the index has loaded.
      let settle: (r: Retriever | null) => void = () => undefined;
      const loading = new Promise<Retriever | null>((r) => (settle = r));
      sandbox = createNodeSandbox({ tools: [createWebSearchTool(loading)] });
      await sandbox.start();
      settle(null);
    }, 120_000);
    afterAll(async () => {
      await sandbox.dispose();
    });

    it('returns the same bytes to Python, for any argument', async () => {
      const r = await sandbox.execute(`${CODE}\nweb_search(42)`);
      expect(r.status).toBe('ok');
      expect(r.logs).toBe(`${NO_INDEX}\n`);
      expect(r.output).toBe(NO_INDEX);
      expect(r.toolCalls.map((t) => [t.text, t.data])).toEqual([
        [NO_INDEX, []],
        [NO_INDEX, []],
      ]);
    });
  });
});
