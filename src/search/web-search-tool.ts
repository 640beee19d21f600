import type { JsonValue } from '../json.ts';
import type { Passage, Retriever, SandboxTool, ToolResult } from '../agent/ports.ts';
import { formatRetrievedDocuments } from './format.ts';
import { tokenize } from './tokenize.ts';

/** Longer queries are cut here: the first words of a pasted paragraph are what matters. */
export const MAX_QUERY_CHARS = 1000;

const EXAMPLE = 'web_search(query="Harvey Pekar date of birth")';

/**
 * What web_search returns, in the CLI and the app alike, when the session has no index: the
 * reference always has its retriever server, so this is a deliberate difference of its own
 * (docs/protocol.md section 4).
 */
export const NO_INDEX_TEXT =
  'web_search is unavailable: this session has no Wikipedia index. Answer from what you know or compute.';

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a dict' : `a ${typeof v === 'number' ? 'number' : typeof v}`;
}

function passageData(passages: readonly Passage[]): JsonValue {
  return passages.map((p) => ({ id: p.id, title: p.title, text: p.text, score: p.score }));
}

/**
 * `web_search(query)` for the Python sandbox, the one the CLI and the app both use. Its text is
 * the observation the model was trained on (docs/protocol.md section 4); bad queries get a
 * sentence the model can act on instead of an error, since a Python exception would cost it a
 * step. Retriever failures (index corrupt, server down) do throw: they are the user's to fix,
 * not the model's. Without a retriever (null) the tool still exists and says so (NO_INDEX_TEXT);
 * a promise of one lets the sandbox start while the index loads, and calls wait for it.
 */
export function createWebSearchTool(
  retriever: Retriever | null | Promise<Retriever | null>,
  k = 3,
): SandboxTool {
  const ready = Promise.resolve(retriever);
  // Unhandled until a step searches, and that call still sees the failure.
  ready.catch(() => undefined);
  return {
    name: 'web_search',
    params: ['query'],
    async call(args: Record<string, JsonValue>, signal?: AbortSignal): Promise<ToolResult> {
      const source = await ready;
      if (source === null) return { text: NO_INDEX_TEXT, data: [] };
      const raw = args.query;
      if (typeof raw !== 'string') {
        return {
          text: `web_search needs a string query, but got ${describe(raw)}. Call it with a few keywords, e.g. ${EXAMPLE}.`,
          data: [],
        };
      }
      const query = raw.trim().slice(0, MAX_QUERY_CHARS);
      if (tokenize(query).length === 0) {
        return {
          text:
            query.length === 0
              ? `web_search got an empty query. Call it with a few keywords, e.g. ${EXAMPLE}.`
              : `web_search found no searchable words in the query ${JSON.stringify(query.slice(0, 80))}. Use names and keywords, e.g. ${EXAMPLE}.`,
          data: [],
        };
      }
      const passages = await source.search(query, k, signal);
      if (passages.length === 0) {
        return {
          text: `No documents found for ${JSON.stringify(query.slice(0, 200))}. Try other keywords: a name, a title or a shorter query.`,
          data: [],
        };
      }
      return { text: formatRetrievedDocuments(passages), data: passageData(passages) };
    },
  };
}
