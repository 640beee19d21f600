import type { Index } from 'flexsearch';
import { PlaygroundError, throwIfAborted } from '../errors.ts';
import { createFlexIndex } from './flex.ts';
import { decodeForwardIndex } from './forward-index.ts';
import type { IndexFileSource } from './index-files.ts';
import { canHash, sha256Hex } from './index-files.ts';
import { LocalIndex, type SearchOptions } from './local-index.ts';
import type { IndexFileEntry, IndexManifest } from './manifest.ts';
import { MANIFEST_FILE, parseManifest, rebuildHint } from './manifest.ts';
import { PassageStore } from './passage-store.ts';

export interface LoadIndexOptions extends SearchOptions {
  /**
   * Check every file's sha256 against the manifest (default true; ~0.1 s per 50 MB). Pages served
   * over plain http have no SubtleCrypto: there only sizes are checked.
   */
  verify?: boolean;
  signal?: AbortSignal;
  /** After each file of the eager part (everything but passage shards), e.g. for a load bar. */
  onProgress?: (p: { file: string; loadedBytes: number; totalBytes: number }) => void;
}

function fileError(
  code: 'index_corrupt' | 'index_missing',
  source: IndexFileSource,
  name: string,
  what: string,
  cause?: unknown,
): PlaygroundError {
  const where = `${source.location.replace(/\/$/, '')}/${name}`;
  return new PlaygroundError(
    code,
    `Search index file ${where} ${what}. ${rebuildHint(source.location)}`,
    {
      cause,
    },
  );
}

async function readChecked(
  source: IndexFileSource,
  entry: IndexFileEntry,
  verify: boolean,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await source.read(entry.name, signal);
  } catch (err) {
    throwIfAborted(signal);
    throw fileError('index_missing', source, entry.name, `could not be read (${String(err)})`, err);
  }
  if (!bytes)
    throw fileError('index_corrupt', source, entry.name, 'is missing (listed in manifest.json)');
  if (bytes.byteLength !== entry.bytes) {
    throw fileError(
      'index_corrupt',
      source,
      entry.name,
      `is truncated or altered (${bytes.byteLength} bytes, manifest says ${entry.bytes})`,
    );
  }
  if (verify && (await sha256Hex(bytes)) !== entry.sha256) {
    throw fileError(
      'index_corrupt',
      source,
      entry.name,
      'does not match its checksum in manifest.json',
    );
  }
  return bytes;
}

function parseJson(source: IndexFileSource, name: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw fileError('index_corrupt', source, name, 'is not valid JSON', err);
  }
}

/**
 * Loads an index from any file source (a folder in Node, a URL base in the browser). Reads the
 * manifest, then the FlexSearch, vocabulary and forward files; passage shards load on first use.
 */
export async function loadIndex(
  source: IndexFileSource,
  options: LoadIndexOptions = {},
): Promise<LocalIndex> {
  const { verify: wantVerify = true, signal, onProgress, ...searchOptions } = options;
  const verify = wantVerify && canHash();
  let manifestBytes: Uint8Array | undefined;
  try {
    manifestBytes = await source.read(MANIFEST_FILE, signal);
  } catch (err) {
    throwIfAborted(signal);
    throw new PlaygroundError(
      'index_missing',
      `Could not read the search index at ${source.location} (${String(err)}). Check the path or URL, or build one with: playground index build --input <corpus> --out <dir>`,
      { cause: err },
    );
  }
  if (!manifestBytes) {
    throw new PlaygroundError(
      'index_missing',
      `No search index at ${source.location}: ${MANIFEST_FILE} not found. Build one with: playground index build --input <corpus> --out ${source.location}`,
    );
  }
  const manifest: IndexManifest = parseManifest(manifestBytes, source.location);
  const byName = new Map(manifest.files.map((f) => [f.name, f]));
  const ofKind = (kind: IndexFileEntry['kind']) => manifest.files.filter((f) => f.kind === kind);

  const flex: Index = createFlexIndex(manifest.config).index;
  const flexFiles = ofKind('flexsearch');
  const vocabEntry = ofKind('vocabulary')[0];
  const forwardEntry = ofKind('forward')[0];
  if (!vocabEntry || !forwardEntry || flexFiles.length === 0) {
    throw new PlaygroundError(
      'index_corrupt',
      `The manifest of the search index at ${source.location} lists no ${!vocabEntry ? 'vocabulary' : !forwardEntry ? 'forward' : 'FlexSearch'} file. ${rebuildHint(source.location)}`,
    );
  }

  const totalBytes = [...flexFiles, vocabEntry, forwardEntry].reduce((s, f) => s + f.bytes, 0);
  let loadedBytes = 0;
  const read = async (entry: IndexFileEntry): Promise<Uint8Array> => {
    const bytes = await readChecked(source, entry, verify, signal);
    loadedBytes += bytes.byteLength;
    onProgress?.({ file: entry.name, loadedBytes, totalBytes });
    return bytes;
  };
  const [flexBytes, vocabBytes, forwardBytes] = await Promise.all([
    Promise.all(flexFiles.map(read)),
    read(vocabEntry),
    read(forwardEntry),
  ]);

  flexFiles.forEach((entry, i) => {
    const bytes = flexBytes[i];
    if (!bytes || entry.key === undefined) {
      throw fileError(
        'index_corrupt',
        source,
        entry.name,
        'has no FlexSearch key in manifest.json',
      );
    }
    try {
      flex.import(entry.key, new TextDecoder().decode(bytes));
    } catch (err) {
      throw fileError(
        'index_corrupt',
        source,
        entry.name,
        'could not be imported into FlexSearch',
        err,
      );
    }
  });

  const vocab = parseJson(source, vocabEntry.name, vocabBytes) as { terms?: unknown; df?: unknown };
  if (
    !Array.isArray(vocab.terms) ||
    !Array.isArray(vocab.df) ||
    vocab.terms.length !== vocab.df.length ||
    vocab.terms.length !== manifest.counts.vocabulary
  ) {
    throw fileError(
      'index_corrupt',
      source,
      vocabEntry.name,
      'does not hold the vocabulary the manifest describes',
    );
  }
  const vocabulary = new Map<string, number>();
  (vocab.terms as string[]).forEach((t, i) => vocabulary.set(t, i));
  const df = Uint32Array.from(vocab.df as number[]);

  const forward = decodeForwardIndex(forwardBytes);
  if (!forward || forward.docCount !== manifest.counts.passages) {
    throw fileError(
      'index_corrupt',
      source,
      forwardEntry.name,
      forward
        ? `holds ${forward.docCount} passages, manifest.json says ${manifest.counts.passages}`
        : 'is not a valid forward index',
    );
  }

  const passages = new PassageStore(source, byName, manifest.config.passagesPerShard, verify);
  return new LocalIndex(
    {
      config: manifest.config,
      flex,
      vocabulary,
      df,
      forward,
      avgDocLength: manifest.stats.avgDocLength,
      passages,
    },
    searchOptions,
  );
}
