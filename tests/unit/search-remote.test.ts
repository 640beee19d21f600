import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRemoteRetriever,
  createWebSearchTool,
  RemoteRetriever,
} from '../../src/search/index.ts';

const REPLY = {
  result: [
    [
      {
        document: {
          id: '12',
          contents: '"Aretha Franklin"\nAretha Louise Franklin was an American singer.',
        },
        score: 0.8312,
      },
      { document: { contents: '"Detroit"\nDetroit is a city in Michigan.' }, score: 0.79 },
    ],
  ],
};

let server: Server;
let base: string;
const bodies: unknown[] = [];
const contentTypes: (string | undefined)[] = [];

async function bodyOf(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += String(chunk);
  return s;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      switch (req.url) {
        case '/retrieve':
          bodies.push(JSON.parse(body));
          contentTypes.push(req.headers['content-type']);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(REPLY));
          return;
        case '/error':
          res.writeHead(500).end('index not loaded');
          return;
        case '/garbage':
          res.writeHead(200).end('<html>hello</html>');
          return;
        case '/wrong-shape':
          res.writeHead(200).end(JSON.stringify({ result: [[{ document: {}, score: 0.5 }]] }));
          return;
        case '/slow':
          return; // never answers
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe('RemoteRetriever (reference /retrieve protocol)', () => {
  it('sends the reference request and parses contents into title and text', async () => {
    const retriever = createRemoteRetriever(`${base}/retrieve`);
    const passages = await retriever.search('Where did Aretha Franklin die?', 2);
    expect(bodies.at(-1)).toEqual({
      queries: ['Where did Aretha Franklin die?'],
      topk: 2,
      return_scores: true,
    });
    expect(contentTypes.at(-1)).toBe('application/json');
    expect(passages).toEqual([
      {
        id: '12',
        title: 'Aretha Franklin',
        text: 'Aretha Louise Franklin was an American singer.',
        contents: '"Aretha Franklin"\nAretha Louise Franklin was an American singer.',
        score: 0.8312,
      },
      {
        id: '1',
        title: 'Detroit',
        text: 'Detroit is a city in Michigan.',
        contents: '"Detroit"\nDetroit is a city in Michigan.',
        score: 0.79,
      },
    ]);
  });

  it('feeds web_search the server contents verbatim', async () => {
    const tool = createWebSearchTool(createRemoteRetriever(`${base}/retrieve`));
    const result = await tool.call({ query: 'Aretha Franklin' });
    expect(result.text).toBe(
      '\nRetrieved documents:\n\n===== Document 0, similarity: 0.83 =====\n"Aretha Franklin"\nAretha Louise Franklin was an American singer.' +
        '\n\n===== Document 1, similarity: 0.79 =====\n"Detroit"\nDetroit is a city in Michigan.',
    );
  });

  it('HTTP errors and garbage are retriever_bad_response with the URL', async () => {
    await expect(new RemoteRetriever(`${base}/error`).search('q', 3)).rejects.toMatchObject({
      code: 'retriever_bad_response',
      message: expect.stringMatching(/HTTP 500: index not loaded/),
    });
    await expect(new RemoteRetriever(`${base}/garbage`).search('q', 3)).rejects.toMatchObject({
      code: 'retriever_bad_response',
      message: expect.stringMatching(/not JSON.*\/retrieve endpoint/),
    });
    await expect(new RemoteRetriever(`${base}/wrong-shape`).search('q', 3)).rejects.toMatchObject({
      code: 'retriever_bad_response',
      message: expect.stringContaining('without document.contents'),
    });
  });

  it('an unreachable server is retriever_unreachable with what to check', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      new RemoteRetriever(`http://127.0.0.1:${port}/retrieve`).search('q', 3),
    ).rejects.toMatchObject({
      code: 'retriever_unreachable',
      message: expect.stringMatching(
        /Could not reach the retriever at http:\/\/127\.0\.0\.1:\d+\/retrieve.*--retriever-url/,
      ),
    });
  });

  it('a server that does not answer times out as retriever_unreachable', async () => {
    const started = Date.now();
    await expect(
      new RemoteRetriever(`${base}/slow`, { timeoutMs: 200 }).search('q', 3),
    ).rejects.toMatchObject({
      code: 'retriever_unreachable',
      message: expect.stringContaining('did not answer within 0.2 s'),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("the caller's abort signal stops the request as aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      new RemoteRetriever(`${base}/slow`).search('q', 3, controller.signal),
    ).rejects.toMatchObject({
      code: 'aborted',
    });
  });

  it('rejects a URL that is not one', () => {
    expect(() => createRemoteRetriever('localhost:8000')).toThrow(/not an http\(s\) URL/);
    expect(() => createRemoteRetriever('nonsense')).toThrow(
      expect.objectContaining({ code: 'bad_input' }),
    );
  });
});
