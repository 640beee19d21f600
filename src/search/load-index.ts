import { PlaygroundError, throwIfAborted } from '../errors.ts';
import { gunzip } from './bytes.ts';
import { CheckedFiles } from './checked-files.ts';
import type { IndexFileSource } from './index-files.ts';
import { decodeDirectory, DIRECTORY_FILE, type Directory, type ShardFile } from './index-layout.ts';
import { LocalIndex, type SearchOptions } from './local-index.ts';
import type { IndexManifest } from './manifest.ts';
import { MANIFEST_FILE, parseManifest, rebuildHint } from './manifest.ts';
import { PassageStore } from './passage-store.ts';
import { TermStore, type TermStoreLimits } from './term-store.ts';

export interface LoadIndexOptions extends SearchOptions, TermStoreLimits {
  /**
   * Check every file's sha256 against the index (default true). Pages served over plain http
   * have no SubtleCrypto: there only sizes are checked.
   */
  verify?: boolean;
  signal?: AbortSignal;
  /** After each file read at open (the manifest and the directory), e.g. for a load bar. */
  onProgress?: (p: { file: string; loadedBytes: number; totalBytes: number }) => void;
}

/** What opening an index reads: the manifest and the directory, both checked. */
export interface OpenedIndexFiles {
  manifestBytes: Uint8Array;
  manifest: IndexManifest;
  directoryEntry: ShardFile;
  directory: Directory;
  files: CheckedFiles;
}

/**
 * Reads and checks the manifest and the directory: the start of opening an index for queries
 * (loadIndex) and of copying it for offline use (offline-copy).
 */
export async function openIndexFiles(
  source: IndexFileSource,
  options: Pick<LoadIndexOptions, 'verify' | 'signal' | 'onProgress'> = {},
): Promise<OpenedIndexFiles> {
  const { verify = true, signal, onProgress } = options;
  // The directory is always there by this name: fetched beside the manifest (one round trip
  // less before the first query), it is checked against the manifest once that has arrived.
  const directoryRead = source.read(DIRECTORY_FILE, signal);
  directoryRead.catch(() => undefined);
  let manifestBytes: Uint8Array | undefined;
  try {
    manifestBytes = await source.read(MANIFEST_FILE, signal);
  } catch (err) {
    throwIfAborted(signal);
    throw new PlaygroundError(
      'index_missing',
      `Could not read the search index at ${source.location} (${String(err)}). Check the path or URL. ${rebuildHint(source)}`,
      { cause: err },
    );
  }
  if (!manifestBytes) {
    throw new PlaygroundError(
      'index_missing',
      `No search index at ${source.location}: ${MANIFEST_FILE} not found. ${rebuildHint(source)}`,
    );
  }
  const manifest: IndexManifest = parseManifest(manifestBytes, source);
  const files = new CheckedFiles(source, verify);
  const directoryEntry = manifest.files.find((f) => f.name === DIRECTORY_FILE);
  if (!directoryEntry) {
    throw new PlaygroundError(
      'index_corrupt',
      `The manifest of the search index at ${source.location} lists no ${DIRECTORY_FILE}. ${rebuildHint(source)}`,
    );
  }
  const totalBytes = manifestBytes.byteLength + directoryEntry.bytes;
  onProgress?.({ file: MANIFEST_FILE, loadedBytes: manifestBytes.byteLength, totalBytes });
  const dirBytes = await files.check(directoryEntry, directoryRead, signal);
  onProgress?.({ file: DIRECTORY_FILE, loadedBytes: totalBytes, totalBytes });
  let directory: Directory;
  try {
    directory = decodeDirectory(await gunzip(dirBytes));
  } catch (err) {
    throw files.error('index_corrupt', DIRECTORY_FILE, 'is not a valid index directory', err);
  }
  const c = manifest.counts;
  if (
    directory.termShards.length !== c.termShards ||
    directory.tailPacks.length !== c.tailPacks ||
    directory.passageShards.length !== c.passageShards
  ) {
    throw files.error(
      'index_corrupt',
      DIRECTORY_FILE,
      'does not list the shards manifest.json counts',
    );
  }
  return { manifestBytes, manifest, directoryEntry, directory, files };
}

/**
 * Opens an index from any file source (a folder in Node, a URL base in the browser, browser
 * storage): reads the manifest and the directory only. Term shards, tail packs and passage
 * shards are fetched as queries need them.
 */
export async function loadIndex(
  source: IndexFileSource,
  options: LoadIndexOptions = {},
): Promise<LocalIndex> {
  const { verify, signal, onProgress, cachedBytes, cachedPostings, ...search } = options;
  const { manifest, directory, files } = await openIndexFiles(source, {
    ...(verify !== undefined && { verify }),
    ...(signal && { signal }),
    ...(onProgress && { onProgress }),
  });
  return new LocalIndex(
    {
      manifest,
      terms: new TermStore(files, directory, { cachedBytes, cachedPostings }),
      passages: new PassageStore(files, directory.passageShards, manifest.config.passagesPerShard),
    },
    search,
  );
}
