/**
 * A real HTTP server on 127.0.0.1 that plays scripted model outputs the way an OpenAI-compatible
 * server (vLLM, llama.cpp, Ollama) would, and records every request it receives.
 *
 * Each request to /v1/chat/completions (or /v1/completions) takes the next entry of the script:
 * - a string: one choice (repeated for every requested sample)
 * - an array of strings: the choices, in order (vLLM honours `n`)
 * - an object: full control (status, raw body, delay, ignore n like llama.cpp does)
 * - a function: computes the entry from the request
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  /** Choices to return; for n > len, the last one repeats unless ignoreN. */
  choices?: string[];
  /** Answer with a single choice whatever n was asked (servers that ignore n). */
  ignoreN?: boolean;
  status?: number;
  /** Sent verbatim instead of a completion (e.g. invalid JSON). */
  rawBody?: string;
  delayMs?: number;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Extra response headers (e.g. Retry-After). */
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: Record<string, unknown>;
}

export type ScriptEntry =
  string | string[] | ScriptedReply | ((req: RecordedRequest) => ScriptEntry);

export interface FakeOpenAIServer {
  /** e.g. http://127.0.0.1:41234/v1 */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** Only the chat/completions requests (not preflights or model listings). */
  completionRequests(): RecordedRequest[];
  /** Appends to the script. */
  push(...entries: ScriptEntry[]): void;
  /** Entries left unplayed. */
  remaining(): number;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  script?: ScriptEntry[];
  /** Played when the script is exhausted; default: a 500 saying so, so a test sees the overrun. */
  fallback?: ScriptEntry;
  model?: string;
}

function toReply(entry: ScriptEntry, req: RecordedRequest): ScriptedReply {
  if (typeof entry === 'function') return toReply(entry(req), req);
  if (typeof entry === 'string') return { choices: [entry] };
  if (Array.isArray(entry)) return { choices: entry };
  return entry;
}

function corsHeaders(): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    // The app runs cross-origin isolated (COEP require-corp); this lets it read our answers.
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeOpenAIServer(
  options: FakeServerOptions = {},
): Promise<FakeOpenAIServer> {
  const script: ScriptEntry[] = [...(options.script ?? [])];
  const requests: RecordedRequest[] = [];
  const model = options.model ?? 'fake-model';
  let served = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const recorded: RecordedRequest = {
      path,
      method: req.method ?? 'GET',
      headers: req.headers,
      rawBody,
      body,
    };
    requests.push(recorded);

    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders()).end();
      return;
    }
    if (req.method === 'GET' && path.endsWith('/models')) {
      res
        .writeHead(200, { 'Content-Type': 'application/json', ...corsHeaders() })
        .end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model' }] }));
      return;
    }
    const isChat = path.endsWith('/chat/completions');
    const isCompletion = !isChat && path.endsWith('/completions');
    if (req.method !== 'POST' || (!isChat && !isCompletion)) {
      res.writeHead(404, corsHeaders()).end('not found');
      return;
    }

    const next = script.shift() ?? options.fallback;
    if (next === undefined) {
      res.writeHead(500, { 'Content-Type': 'application/json', ...corsHeaders() }).end(
        JSON.stringify({
          error: { message: `fake server: script exhausted after ${served} replies` },
        }),
      );
      return;
    }
    served += 1;
    const reply = toReply(next, recorded);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const headers = { 'Content-Type': 'application/json', ...corsHeaders(), ...reply.headers };
    if (reply.rawBody !== undefined || (reply.status && reply.status !== 200)) {
      res
        .writeHead(reply.status ?? 200, headers)
        .end(reply.rawBody ?? JSON.stringify({ error: { message: 'scripted error' } }));
      return;
    }

    const n = typeof body.n === 'number' && !reply.ignoreN ? body.n : 1;
    const given = reply.choices ?? [''];
    const texts = Array.from({ length: n }, (_, i) => given[Math.min(i, given.length - 1)] ?? '');
    const usage = reply.usage ?? { prompt_tokens: 10, completion_tokens: 5 * n };
    const finish = reply.finishReason ?? 'stop';

    if (body.stream === true) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream' });
      texts.forEach((text, index) => {
        // Two chunks per choice so clients must really concatenate deltas.
        const cut = Math.floor(text.length / 2);
        for (const piece of [text.slice(0, cut), text.slice(cut)]) {
          const chunk = isChat
            ? {
                id: 'x',
                object: 'chat.completion.chunk',
                model,
                choices: [{ index, delta: { content: piece }, finish_reason: null }],
              }
            : {
                id: 'x',
                object: 'text_completion',
                model,
                choices: [{ index, text: piece, finish_reason: null }],
              };
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        }
        const done = isChat
          ? {
              id: 'x',
              object: 'chat.completion.chunk',
              model,
              choices: [{ index, delta: {}, finish_reason: finish }],
            }
          : {
              id: 'x',
              object: 'text_completion',
              model,
              choices: [{ index, text: '', finish_reason: finish }],
            };
        res.write(`data: ${JSON.stringify(done)}\n\n`);
      });
      res.write(
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
      return;
    }

    const choices = texts.map((text, index) =>
      isChat
        ? { index, message: { role: 'assistant', content: text }, finish_reason: finish }
        : { index, text, finish_reason: finish },
    );
    res.writeHead(200, headers).end(
      JSON.stringify({
        id: `cmpl-${served}`,
        object: isChat ? 'chat.completion' : 'text_completion',
        model,
        choices,
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    completionRequests: () =>
      requests.filter((r) => r.method === 'POST' && r.path.endsWith('completions')),
    push: (...entries) => void script.push(...entries),
    remaining: () => script.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
