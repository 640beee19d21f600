import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PlaygroundError } from '../../errors.ts';
import type { Passage, Retriever } from '../../agent/ports.ts';
import { createRemoteRetriever, formatRetrievedDocuments } from '../../search/index.ts';
import { openLocalIndex } from '../../search/node/index.ts';

interface SearchOptions {
  index?: string;
  retrieverUrl?: string;
  query?: string;
  queries?: string;
  k: string;
  json: boolean;
}

const brief = (p: Passage) => ({ id: p.id, title: p.title, score: Number(p.score.toFixed(4)) });

async function readQueries(path: string): Promise<{ id: string; query: string }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PlaygroundError(
      'bad_input',
      `Cannot read --queries ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const out: { id: string; query: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new PlaygroundError(
        'bad_input',
        `${path}:${i + 1}: not valid JSON; each line must be {"id": ..., "query": "..."}.`,
      );
    }
    const r = row as { id?: unknown; query?: unknown };
    if (typeof row !== 'object' || row === null || typeof r.query !== 'string') {
      throw new PlaygroundError(
        'bad_input',
        `${path}:${i + 1}: each line must be {"id": ..., "query": "..."} with a string query.`,
      );
    }
    out.push({ id: r.id === undefined ? String(out.length) : String(r.id), query: r.query });
  });
  return out;
}

/** `playground search`: query an index the way web_search does, one query or a JSONL batch. */
export function register(program: Command): void {
  program
    .command('search')
    .description(
      "Search a local index (or a remote /retrieve server) like the agent's web_search tool.",
    )
    .option('--index <dir>', 'index folder from `playground index build`')
    .option('--retriever-url <url>', 'remote retriever (POST /retrieve) instead of a local index')
    .option('--query <text>', 'one query: prints what web_search returns')
    .option('--queries <file.jsonl>', 'batch: {"id","query"} lines in, one JSON line per query out')
    .option('--k <n>', 'passages per query', '3')
    .option('--json', 'JSON output for --query (ids, titles, scores, texts)', false)
    .action(async (opts: SearchOptions) => {
      if (Boolean(opts.index) === Boolean(opts.retrieverUrl)) {
        throw new PlaygroundError(
          'bad_input',
          'Give exactly one of --index <dir> or --retriever-url <url>.',
        );
      }
      if ((opts.query === undefined) === (opts.queries === undefined)) {
        throw new PlaygroundError(
          'bad_input',
          'Give exactly one of --query <text> or --queries <file.jsonl>.',
        );
      }
      const k = Number(opts.k);
      if (!Number.isInteger(k) || k <= 0 || k > 100) {
        throw new PlaygroundError(
          'bad_input',
          `--k must be an integer from 1 to 100, got "${opts.k}".`,
        );
      }
      const retriever: Retriever = opts.index
        ? await openLocalIndex(opts.index)
        : createRemoteRetriever(opts.retrieverUrl ?? '');
      const out = (s: string): void => void process.stdout.write(s + '\n');
      if (opts.query !== undefined) {
        const passages = await retriever.search(opts.query, k);
        if (opts.json) {
          out(
            JSON.stringify({
              query: opts.query,
              results: passages.map((p) => ({ ...brief(p), text: p.text })),
            }),
          );
        } else if (passages.length === 0) {
          out(`No documents found for ${JSON.stringify(opts.query)}.`);
        } else {
          out(formatRetrievedDocuments(passages).replace(/^\n/, ''));
        }
        return;
      }
      for (const { id, query } of await readQueries(opts.queries ?? '')) {
        const passages = await retriever.search(query, k);
        out(JSON.stringify({ id, query, results: passages.map(brief) }));
      }
    });
}
