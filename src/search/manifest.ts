import { PlaygroundError } from '../errors.ts';
import { TOKENIZER_VERSION } from './tokenize.ts';

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

export function rebuildHint(location: string): string {
  return `Rebuild it with: playground index build --input <corpus> --out ${location}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks manifest.json; the error names the file and how to fix it. */
export function parseManifest(bytes: Uint8Array, location: string): IndexManifest {
  const where = `${location.replace(/\/$/, '')}/${MANIFEST_FILE}`;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new PlaygroundError(
      'index_corrupt',
      `The search index manifest ${where} is not valid JSON (truncated or damaged). ${rebuildHint(location)}`,
      { cause: err },
    );
  }
  if (!isRecord(raw) || raw.format !== INDEX_FORMAT) {
    throw new PlaygroundError(
      'index_mismatch',
      `${where} is not a Small Agent Playground search index manifest. ${rebuildHint(location)}`,
    );
  }
  if (raw.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new PlaygroundError(
      'index_mismatch',
      `The search index at ${location} has format version ${String(raw.formatVersion)}, this program reads version ${INDEX_FORMAT_VERSION}. ${rebuildHint(location)}`,
    );
  }
  const m = raw as unknown as IndexManifest;
  const shapeOk =
    isRecord(m.config) &&
    isRecord(m.config.bm25) &&
    isRecord(m.counts) &&
    isRecord(m.stats) &&
    Array.isArray(m.files) &&
    Array.isArray(m.sources) &&
    m.files.every(
      (f) =>
        isRecord(f) &&
        typeof f.name === 'string' &&
        typeof f.bytes === 'number' &&
        typeof f.sha256 === 'string' &&
        !f.name.includes('..'),
    );
  if (!shapeOk) {
    throw new PlaygroundError(
      'index_corrupt',
      `The search index manifest ${where} is missing fields. ${rebuildHint(location)}`,
    );
  }
  if (m.config.tokenizerVersion !== TOKENIZER_VERSION) {
    throw new PlaygroundError(
      'index_mismatch',
      `The search index at ${location} was built with tokenizer version ${m.config.tokenizerVersion}, this program uses version ${TOKENIZER_VERSION}. ${rebuildHint(location)}`,
    );
  }
  return m;
}
