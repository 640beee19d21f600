/**
 * Model servers that misbehave on purpose, for real on 127.0.0.1: they stall, trickle, stream
 * forever or send an endless body. Every request must end with a one-line error within the
 * limits of request-limits.ts (short ones here), and never read past the size limit.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIEngine } from '../../src/engines/openai-engine.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { runCli } from '../helpers/run-cli.ts';

type Behaviour = (res: ServerResponse, stats: { sent: number }) => void;

interface Hostile {
  baseUrl: string;
  stats: { sent: number };
  close(): Promise<void>;
}

const open: Hostile[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function hostileServer(behave: Behaviour): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setInterval>>();
  const stats = { sent: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => behave(res, stats));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const h: Hostile = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    stats,
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  open.push(h);
  return h;
}

/** Writes `chunk` every `everyMs` until the client goes away. */
function forever(res: ServerResponse, stats: { sent: number }, chunk: string, everyMs: number) {
  const t = setInterval(() => {
    if (res.destroyed || res.writableEnded) {
      clearInterval(t);
      return;
    }
    res.write(chunk);
    stats.sent += Buffer.byteLength(chunk);
  }, everyMs);
  res.on('close', () => clearInterval(t));
}

const msgs = [{ role: 'user' as const, content: 'hi' }];

async function failure(p: Promise<unknown>): Promise<PlaygroundError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PlaygroundError);
    const e = err as PlaygroundError;
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('expected the request to fail');
}

const chunk = (text: string): string =>
  `data: ${JSON.stringify({ choices: [{ delta: { content: text } }] })}\n\n`;

describe('hostile model servers', () => {
  it('a server that never answers: the idle timeout ends the request', async () => {
    const s = await hostileServer(() => undefined);
    const engine = createOpenAIEngine({ baseUrl: s.baseUrl, model: 'm', idleTimeoutMs: 300 });
    const e = await failure(engine.chat({ messages: msgs }));
    expect(e.code).toBe('engine_unreachable');
    expect(e.message).toMatch(/sent nothing for 0\.3 s/);
  });

  it('a server that stalls after the headers: the idle timeout ends the request', async () => {
    const s = await hostileServer((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"choices": [');
    });
    const engine = createOpenAIEngine({ baseUrl: s.baseUrl, model: 'm', idleTimeoutMs: 300 });
    const e = await failure(engine.chat({ messages: msgs }));
    expect(e.message).toMatch(/sent nothing for 0\.3 s/);
  });

  it('a slow-loris server trickling bytes: the total budget ends the request', async () => {
    const s = await hostileServer((res, stats) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      forever(res, stats, ' ', 50);
    });
    const engine = createOpenAIEngine({
      baseUrl: s.baseUrl,
      model: 'm',
      idleTimeoutMs: 1000,
      requestTimeoutMs: 800,
    });
    const e = await failure(engine.chat({ messages: msgs }));
    expect(e.code).toBe('engine_unreachable');
    expect(e.message).toMatch(/did not finish its answer within 0\.8 s/);
    expect(s.stats.sent).toBeGreaterThan(0);
  });

  it('a stream of events that never ends: the total budget ends it', async () => {
    const s = await hostileServer((res, stats) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      forever(res, stats, chunk('a'), 20);
    });
    const engine = createOpenAIEngine({
      baseUrl: s.baseUrl,
      model: 'm',
      idleTimeoutMs: 1000,
      requestTimeoutMs: 800,
    });
    let tokens = 0;
    const e = await failure(engine.chat({ messages: msgs, onToken: () => void tokens++ }));
    expect(e.message).toMatch(/did not finish its answer within 0\.8 s/);
    expect(tokens).toBeGreaterThan(0);
  });

  it('a fast endless stream of events: the size limit ends it', async () => {
    const s = await hostileServer((res, stats) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      forever(res, stats, chunk('x'.repeat(4096)).repeat(8), 1);
    });
    const engine = createOpenAIEngine({
      baseUrl: s.baseUrl,
      model: 'm',
      maxResponseBytes: 256 * 1024,
    });
    const e = await failure(engine.chat({ messages: msgs, onToken: () => undefined }));
    expect(e.code).toBe('engine_bad_response');
    expect(e.message).toMatch(/sent more than 256 KB for one answer/);
  });

  it('an endless event without a separator: the size limit ends it, nothing piles up', async () => {
    const s = await hostileServer((res, stats) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: ');
      forever(res, stats, 'y'.repeat(16 * 1024), 1);
    });
    const engine = createOpenAIEngine({ baseUrl: s.baseUrl, model: 'm' });
    const e = await failure(engine.chat({ messages: msgs, onToken: () => undefined }));
    expect(e.code).toBe('engine_bad_response');
    expect(e.message).toMatch(/sent more than 8 MB for one answer/);
  });

  it('an endless JSON body: the size limit ends it', async () => {
    const s = await hostileServer((res, stats) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"choices": [{"message": {"content": "');
      forever(res, stats, 'z'.repeat(64 * 1024), 1);
    });
    const engine = createOpenAIEngine({
      baseUrl: s.baseUrl,
      model: 'm',
      maxResponseBytes: 1024 * 1024,
    });
    const e = await failure(engine.chat({ messages: msgs }));
    expect(e.message).toMatch(/sent more than 1 MB for one answer/);
  });

  it('an endless error body: the message is cut short and the request ends', async () => {
    const s = await hostileServer((res, stats) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      forever(res, stats, 'bad request '.repeat(1000), 1);
    });
    const engine = createOpenAIEngine({ baseUrl: s.baseUrl, model: 'm' });
    const e = await failure(engine.chat({ messages: msgs }));
    expect(e.code).toBe('engine_http');
    expect(e.message).toMatch(/HTTP 400/);
    expect(e.message.length).toBeLessThan(1000);
  });

  it('playground ask --request-timeout: a stalled server ends the run with one line', async () => {
    const s = await hostileServer(() => undefined);
    const r = await runCli([
      'ask',
      'What is 2 + 2?',
      '--base-url',
      s.baseUrl,
      '--model',
      'm',
      '--request-timeout',
      '0.5',
      '--quiet',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^playground: The model server at .* sent nothing for 0\.5 s/);
  }, 60_000);

  it('rejects a --request-timeout that is not a positive number', async () => {
    const r = await runCli([
      'ask',
      'q',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '--model',
      'm',
      '--request-timeout',
      '-1',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--request-timeout must be a number/);
  });
});

describe('hostile model servers, through eval', () => {
  it('playground eval --request-timeout: each stalled request ends, the run is saved', async () => {
    const s = await hostileServer(() => undefined);
    const out = mkdtempSync(join(tmpdir(), 'eval-stall-'));
    const r = await runCli([
      'eval',
      '--bench',
      join(import.meta.dirname, '../fixtures/eval/mini_math.jsonl'),
      '--mode',
      'cot',
      '--out',
      out,
      '--base-url',
      s.baseUrl,
      '--model',
      'm',
      '--no-sympy',
      '--request-timeout',
      '0.3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const records = readFileSync(join(out, 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; error?: { code: string; message: string } });
    expect(records).toHaveLength(4);
    for (const rec of records) {
      expect(rec.status).toBe('error');
      expect(rec.error?.code).toBe('engine_unreachable');
      expect(rec.error?.message).toMatch(/sent nothing for 0\.3 s/);
    }
  }, 60_000);
});
