import { PlaygroundError, isAbortError } from '../errors.ts';
import { isPlainObject } from '../json.ts';
import { parseContents } from './contents.ts';
import type { Passage, Retriever } from '../agent/ports.ts';

export interface RemoteRetrieverOptions {
  /** Per-request limit; default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The paper's retriever service (docs/protocol.md section 4): POST {"queries": [q], "topk": k,
 * "return_scores": true} -> {"result": [[{"document": {"contents"}, "score"}]]}, e.g. the
 * wiki-18 + e5 server of Search-R1/FlashRAG.
 */
export class RemoteRetriever implements Retriever {
  readonly description: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly url: string,
    options: RemoteRetrieverOptions = {},
  ) {
    this.description = `remote retriever ${url}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async search(query: string, k: number, signal?: AbortSignal): Promise<Passage[]> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const hint = `Check that the retriever server is running and that --retriever-url is its full /retrieve URL.`;
    let body: string;
    let status: number;
    try {
      const res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ queries: [query], topk: k, return_scores: true }),
        signal: combined,
      });
      status = res.status;
      body = await res.text();
    } catch (err) {
      if (signal?.aborted)
        throw new PlaygroundError('aborted', 'The run was stopped.', { cause: err });
      if (timeout.aborted || (isAbortError(err) && !signal?.aborted)) {
        throw new PlaygroundError(
          'retriever_unreachable',
          `The retriever at ${this.url} did not answer within ${this.timeoutMs / 1000} s. ${hint}`,
          { cause: err },
        );
      }
      const reason =
        err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
      throw new PlaygroundError(
        'retriever_unreachable',
        `Could not reach the retriever at ${this.url} (${reason}). ${hint}`,
        {
          cause: err,
        },
      );
    }
    if (status < 200 || status >= 300) {
      throw new PlaygroundError(
        'retriever_bad_response',
        `The retriever at ${this.url} answered HTTP ${status}: ${body.slice(0, 200)}. ${hint}`,
      );
    }
    return this.parse(body);
  }

  private parse(body: string): Passage[] {
    const bad = (what: string) =>
      new PlaygroundError(
        'retriever_bad_response',
        `The retriever at ${this.url} sent ${what}; expected {"result": [[{"document": {"contents": "..."}, "score": 0.8}]]}. Is this URL a /retrieve endpoint?`,
      );
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw bad(`a reply that is not JSON (${JSON.stringify(body.slice(0, 80))})`);
    }
    if (!isPlainObject(json) || !Array.isArray(json.result) || !Array.isArray(json.result[0])) {
      throw bad('JSON without a "result" list of lists');
    }
    return (json.result[0] as unknown[]).map((item, i) => {
      const doc = isPlainObject(item) ? item.document : undefined;
      const contents = isPlainObject(doc) ? doc.contents : undefined;
      const score = isPlainObject(item) ? item.score : undefined;
      if (typeof contents !== 'string') throw bad(`result ${i} without document.contents`);
      if (typeof score !== 'number' || !Number.isFinite(score))
        throw bad(`result ${i} without a numeric score`);
      const { title, text } = parseContents(contents);
      const id =
        isPlainObject(doc) && (typeof doc.id === 'string' || typeof doc.id === 'number')
          ? String(doc.id)
          : `${i}`;
      // e5 cosine similarities are already in [0, 1] in practice; clamp so the contract holds.
      return { id, title, text, contents, score: Math.min(1, Math.max(0, score)) };
    });
  }
}

/** `playground ask --retriever-url URL`. */
export function createRemoteRetriever(url: string, options?: RemoteRetrieverOptions): Retriever {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // "localhost:8000" parses as a URL with scheme "localhost:": only http(s) can be a retriever.
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new PlaygroundError(
      'bad_input',
      `--retriever-url ${url} is not an http(s) URL (e.g. http://127.0.0.1:8000/retrieve).`,
    );
  }
  return new RemoteRetriever(url, options);
}
