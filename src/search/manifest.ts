import { PlaygroundError } from '../errors.ts';
import { isPlainObject } from '../json.ts';
import {
  ShapeError,
  arrayOf,
  fields,
  finiteNumber,
  string,
  that,
  validate,
} from '../json-shape.ts';
import { TOKENIZER_VERSION } from './tokenize.ts';
import type { IndexPlace } from './index-files.ts';

export const INDEX_FORMAT = 'small-agent-playground/search-index';
/** Bump when the file layout changes; loaders refuse other versions. */
export const INDEX_FORMAT_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';

/** Everything that must be identical at build and load time for the index to mean the same. */
export interface IndexConfig {
  tokenizerVersion: number;
  /**
   * BM25 parameters used at query time; the title counts `titleWeight` times, and a passage
   * whose whole title occurs in the query gains `titleMatchBonus` times the title terms' idf.
   */
  bm25: { k1: number; b: number; titleWeight: number; titleMatchBonus: number };
  passagesPerShard: number;
  /** Paragraphs longer than 1.5 times this many words are cut into windows of about this many. */
  chunkWords: number;
  /** Postings kept inline per term, the highest-impact ones; the rest go to a tail pack. */
  headPostings: number;
  /** Term shards and tail packs are closed once they reach these sizes. */
  termShardBytes: number;
  tailPackBytes: number;
}

/** Files the manifest lists itself; every shard is listed, with its sha256, in the directory. */
export type IndexFileKind = 'directory';

export interface IndexFileEntry {
  name: string;
  kind: IndexFileKind;
  bytes: number;
  sha256: string;
}

export interface IndexSource {
  /** Path or name of the input as given to the builder. */
  path: string;
  format: string;
  passages: number;
  duplicates: number;
}

export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  formatVersion: number;
  createdAt: string;
  config: IndexConfig;
  counts: {
    passages: number;
    duplicates: number;
    skippedEmpty: number;
    /** Input paragraphs cut into several passages. */
    chunked: number;
    vocabulary: number;
    postings: number;
    termShards: number;
    tailPacks: number;
    passageShards: number;
  };
  /** Corpus statistics for BM25: document count is counts.passages. */
  stats: { avgDocLength: number };
  sources: IndexSource[];
  files: IndexFileEntry[];
}

export const DEFAULT_CONFIG: IndexConfig = {
  tokenizerVersion: TOKENIZER_VERSION,
  bm25: { k1: 0.9, b: 0.4, titleWeight: 2, titleMatchBonus: 1 },
  passagesPerShard: 500,
  chunkWords: 100,
  headPostings: 1000,
  termShardBytes: 32 * 1024,
  tailPackBytes: 32 * 1024,
};

/** What to do about a missing or damaged index at this place. */
export function rebuildHint(place: IndexPlace): string {
  return (
    place.repair ??
    `Rebuild it with: playground index build --input <corpus> --out ${place.location}`
  );
}

/** The fields the loaders read; the builder may add others. */
const manifestFields = fields({
  config: fields({ bm25: fields({}) }),
  counts: fields({}),
  stats: fields({}),
  sources: arrayOf(fields({})),
  files: arrayOf(
    fields({
      name: that((v) => typeof v === 'string' && !v.includes('..'), 'a file name without ".."'),
      bytes: finiteNumber,
      sha256: string,
    }),
  ),
});

/** Parses and checks manifest.json; the error names the file and how to fix it. */
export function parseManifest(bytes: Uint8Array, place: IndexPlace): IndexManifest {
  const { location } = place;
  const where = `${location.replace(/\/$/, '')}/${MANIFEST_FILE}`;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new PlaygroundError(
      'index_corrupt',
      `The search index manifest ${where} is not valid JSON (truncated or damaged). ${rebuildHint(place)}`,
      { cause: err },
    );
  }
  if (!isPlainObject(raw) || raw.format !== INDEX_FORMAT) {
    throw new PlaygroundError(
      'index_mismatch',
      `${where} is not a Small Agent Playground search index manifest. ${rebuildHint(place)}`,
    );
  }
  if (raw.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new PlaygroundError(
      'index_mismatch',
      `The search index at ${location} has format version ${String(raw.formatVersion)}, this program reads version ${INDEX_FORMAT_VERSION}. ${rebuildHint(place)}`,
    );
  }
  let m: IndexManifest;
  try {
    m = validate<IndexManifest>(raw, manifestFields);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new PlaygroundError(
      'index_corrupt',
      `The search index manifest ${where} is damaged: ${err.message}. ${rebuildHint(place)}`,
    );
  }
  if (m.config.tokenizerVersion !== TOKENIZER_VERSION) {
    throw new PlaygroundError(
      'index_mismatch',
      `The search index at ${location} was built with tokenizer version ${m.config.tokenizerVersion}, this program uses version ${TOKENIZER_VERSION}. ${rebuildHint(place)}`,
    );
  }
  return m;
}
