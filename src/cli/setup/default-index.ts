/**
 * The app's default Wikipedia index in public/generated/index, built with the search package's
 * own builder from, in order: `--from`, <data dir>/wiki_corpus/passages.jsonl (the data directory
 * `eval` reads: $AGENT_DATA_DIR, else ../shared/data), or (online)
 * the public HotpotQA dev distractor file, whose 10 context paragraphs per question are the corpus.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PlaygroundError } from '../../errors.ts';
import { resolveDataDir } from '../../eval/node/load-benchmark.ts';
import { REPO_ROOT } from '../../python/node-bundle.ts';
import { MANIFEST_FILE } from '../../search/manifest.ts';
import { buildIndexFromFiles, type BuildProgress } from '../../search/node/index.ts';
import { DEFAULT_INDEX_DIR } from '../sandbox-and-tools.ts';
import { describeFailure, downloadVerified, fileIntact } from './download.ts';

export const HOTPOT_DEV_DISTRACTOR_URL =
  'http://curtis.ml.cmu.edu/datasets/hotpot/hotpot_dev_distractor_v1.json';

/** Where setup keeps what it downloads: env PLAYGROUND_SETUP_CACHE_DIR, else <repo>/.cache/setup. */
export function setupCacheDir(): string {
  return process.env.PLAYGROUND_SETUP_CACHE_DIR ?? join(REPO_ROOT, '.cache/setup');
}

export interface DefaultIndexOptions {
  /** Default public/generated/index. */
  out?: string;
  /** A passages/questions file or folder the index builder reads. */
  from?: string;
  /** Default: $AGENT_DATA_DIR, else ../shared/data beside the repository. */
  dataDir?: string;
  /** Default the HotpotQA dev distractor file; env PLAYGROUND_INDEX_SOURCE_URL. */
  sourceUrl?: string;
  /** Where a downloaded source is kept; default env PLAYGROUND_SETUP_CACHE_DIR, else <repo>/.cache/setup. */
  cacheDir?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  timeoutMs?: number;
  onSource?: (source: IndexSource) => void;
  onBytes?: (received: number, total: number | null) => void;
  onBuildProgress?: (p: BuildProgress) => void;
}

export interface IndexSource {
  kind: 'from' | 'data-dir' | 'download';
  path: string;
  url?: string;
}

export interface DefaultIndexResult {
  out: string;
  source: IndexSource;
  passages: number;
}

export function defaultIndexOut(out?: string): string {
  return resolve(out ?? DEFAULT_INDEX_DIR);
}

export function indexPresent(out?: string): boolean {
  return existsSync(join(defaultIndexOut(out), MANIFEST_FILE));
}

function localCorpus(dataDir: string): string | null {
  const file = resolve(dataDir, 'wiki_corpus/passages.jsonl');
  return existsSync(file) ? file : null;
}

function missingMessage(out: string, options: DefaultIndexOptions, url: string, error: string) {
  const dataDir = resolveDataDir(options.dataDir);
  return [
    `Default search index: missing (${join(out, MANIFEST_FILE)} does not exist), so web_search in the app finds nothing.`,
    '  No local source:',
    '    --from not given',
    `    ${resolve(dataDir, 'wiki_corpus/passages.jsonl')} not found (set AGENT_DATA_DIR to a data directory that has it)`,
    `  and the public source could not be downloaded: ${url}`,
    `    (${error})`,
    'Run `playground setup --index` again when online, or build from local files:',
    '  playground setup --index --from <passages.jsonl | HotpotQA-style questions file | folder>',
  ].join('\n');
}

async function downloadSource(options: DefaultIndexOptions, out: string): Promise<IndexSource> {
  const url =
    options.sourceUrl ?? process.env.PLAYGROUND_INDEX_SOURCE_URL ?? HOTPOT_DEV_DISTRACTOR_URL;
  const cacheDir = options.cacheDir ?? setupCacheDir();
  const name = new URL(url).pathname.split('/').pop() || 'index-source.json';
  const path = join(cacheDir, name);
  const source: IndexSource = { kind: 'download', path, url };
  // No published checksum exists for this file; the builder's format check is the integrity test.
  if (await fileIntact(path)) return source;
  try {
    await downloadVerified(
      { url, target: path },
      {
        ...(options.fetch && { fetch: options.fetch }),
        ...(options.signal && { signal: options.signal }),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        ...(options.onBytes && { onBytes: options.onBytes }),
      },
    );
  } catch (err) {
    if (options.signal?.aborted)
      throw new PlaygroundError('aborted', 'Download stopped.', { cause: err });
    throw new PlaygroundError(
      'download_failed',
      missingMessage(out, options, url, describeFailure(err)),
      { cause: err },
    );
  }
  return source;
}

export async function chooseIndexSource(
  options: DefaultIndexOptions,
  out: string,
): Promise<IndexSource> {
  if (options.from !== undefined) {
    const path = resolve(options.from);
    if (!existsSync(path)) throw new PlaygroundError('bad_input', `--from ${path} does not exist.`);
    return { kind: 'from', path };
  }
  const local = localCorpus(resolveDataDir(options.dataDir));
  if (local) return { kind: 'data-dir', path: local };
  return downloadSource(options, out);
}

/** Builds (or rebuilds) the default index; the old one stays in place until the new one is whole. */
export async function setupDefaultIndex(
  options: DefaultIndexOptions = {},
): Promise<DefaultIndexResult> {
  const out = defaultIndexOut(options.out);
  const source = await chooseIndexSource(options, out);
  options.onSource?.(source);
  let manifest;
  try {
    manifest = await buildIndexFromFiles({
      inputs: [source.path],
      out,
      ...(options.signal && { signal: options.signal }),
      ...(options.onBuildProgress && { onProgress: options.onBuildProgress }),
    });
  } catch (err) {
    const e = PlaygroundError.from(err);
    if (source.kind !== 'download' || e.code !== 'bad_input') throw e;
    await rm(source.path, { force: true });
    throw new PlaygroundError(
      'data_invalid',
      `${source.url ?? source.path} did not give a usable corpus (${e.message}); ` +
        'the download was removed: run setup again, or use --from with a local copy.',
      { cause: err },
    );
  }
  return { out, source, passages: manifest.counts.passages };
}
