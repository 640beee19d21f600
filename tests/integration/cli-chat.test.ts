/**
 * `playground chat` driven through a real pseudo-terminal (util-linux `script`), against a
 * scripted OpenAI-compatible server: follow-ups continue the conversation, the up arrow recalls
 * the session's history, Ctrl-C stops the running step and keeps the conversation, Ctrl-D leaves.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunFile } from '../../src/records/run-file.ts';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../helpers/fake-openai-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const fence = (code: string): string => `Thought: t\nCode:\n\`\`\`py\n${code}\n\`\`\``;
type Sent = { role: string; content: string }[];

let server: FakeOpenAIServer;
let dir: string;

beforeAll(async () => {
  server = await startFakeOpenAIServer({ model: 'student' });
  dir = mkdtempSync(join(tmpdir(), 'cli-chat-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI in a pseudo-terminal; `screen` is everything it wrote. */
function startChat(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  screen: () => string;
  type: (s: string) => void;
  waitFor: (pattern: RegExp, from?: number, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
} {
  const quoted = ['node', join(ROOT, 'bin/playground.js'), 'chat', ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  // -e: script exits with the command's status; -f: flush output as it comes; -q: no banners.
  const child = spawn('script', ['-qefc', quoted, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, COLUMNS: '200', LINES: '50', TERM: 'xterm' },
  });
  let out = '';
  // Readline repaints the line with cursor movements: keep the text only.
  // eslint-disable-next-line no-control-regex -- terminal escape sequences
  const plain = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  child.stdout.on('data', (d: Buffer) => (out += plain(d.toString())));
  child.stderr.on('data', (d: Buffer) => (out += plain(d.toString())));
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return {
    child,
    screen: () => out,
    type: (s) => void child.stdin.write(s),
    async waitFor(pattern, from = 0, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(out.slice(from))) {
        if (Date.now() > until)
          throw new Error(`Timed out waiting for ${String(pattern)}; the screen shows:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exited,
  };
}

describe('playground chat in a terminal', () => {
  it('holds a conversation, recalls history, survives Ctrl-C and leaves on Ctrl-D', async () => {
    server.push(
      fence('base = 20\nprint(base)'),
      fence('final_answer(base + 1)'),
      fence('final_answer(base * 2)'),
      // Held long enough for Ctrl-C to stop it.
      { choices: [fence('final_answer(0)')], delayMs: 30_000 },
      fence('final_answer(base - 1)'),
    );
    const save = join(dir, 'conversations.json');
    const chat = startChat([
      '--base-url',
      server.baseUrl,
      '--model',
      'student',
      '--context-window',
      '4096',
      '--save',
      save,
    ]);
    await chat.waitFor(/you> $/);
    chat.type('Twenty plus one?\r');
    await chat.waitFor(/answer: 21[\s\S]*you> $/);
    expect(chat.screen()).toMatch(/\(1 question, context ~?\d+ of 4096 tokens\)/);

    let mark = chat.screen().length;
    chat.type('And twice the base?\r');
    await chat.waitFor(/answer: 40[\s\S]*you> $/, mark);
    expect(chat.screen().slice(mark)).toMatch(/\(2 questions, context/);
    const followUp = server.completionRequests()[2]?.body.messages as Sent;
    expect(followUp).toHaveLength(6);
    expect(followUp[5]?.content).toMatch(
      /^Call id: call_2\nObservation:\nExecution logs:\nLast output from code snippet:\n21New task:\nAnd twice the base\?/,
    );

    // Up arrow: the session's last question comes back; Ctrl-C while it runs stops it.
    mark = chat.screen().length;
    chat.type('\x1b[A');
    await chat.waitFor(/And twice the base\?/, mark);
    chat.type('\r');
    const asked = server.completionRequests().length;
    const until = Date.now() + 30_000;
    while (server.completionRequests().length === asked && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.completionRequests()).toHaveLength(asked + 1);
    chat.type('\x03');
    await chat.waitFor(/Stopped\. Ask on[\s\S]*you> $/, mark, 10_000);

    // The conversation goes on after the stop: every earlier task is still in the messages.
    mark = chat.screen().length;
    chat.type('Minus one?\r');
    await chat.waitFor(/answer: 19[\s\S]*you> $/, mark);
    const last = server.completionRequests().at(-1)?.body.messages as Sent;
    const tasks = last
      .filter((m) => m.role === 'user')
      .map((m) => m.content.match(/New task:\n[^\n]*/g) ?? []);
    expect(tasks.flat()).toEqual([
      'New task:\nTwenty plus one?',
      'New task:\nAnd twice the base?',
      'New task:\nAnd twice the base?',
      'New task:\nMinus one?',
    ]);

    chat.type('\x04');
    expect(await chat.exited).toBe(0);
    const saved = parseRunFile(readFileSync(save, 'utf8'));
    expect(saved.runs).toHaveLength(1);
    expect(saved.runs[0]?.turns?.map((t) => t.status)).toEqual([
      'answered',
      'answered',
      'aborted',
      'answered',
    ]);
  }, 120_000);
});
