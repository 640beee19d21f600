import { access, readdir, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PlaygroundError, throwIfAborted } from '../../errors.ts';
import { IndexBuilder, type IndexBuilderOptions } from '../index-builder.ts';
import { MANIFEST_FILE, type IndexManifest } from '../manifest.ts';
import { dirIndexSink } from './fs-files.ts';
import { readPassages, resolveInputs, type InputFile } from './inputs.ts';

export interface BuildProgress {
  file: string;
  bytesDone: number;
  bytesTotal: number;
  passages: number;
  duplicates: number;
}

export interface BuildIndexOptions {
  inputs: readonly string[];
  out: string;
  chunkWords?: number;
  /** Stop after this many passages (after de-duplication). */
  limit?: number;
  config?: IndexBuilderOptions['config'];
  onStart?: (files: readonly InputFile[]) => void;
  onProgress?: (p: BuildProgress) => void;
  signal?: AbortSignal;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Builds an index directory from files or folders. Writes into `<out>.partial` and renames at the
 * end, so `out` is either the old index or the complete new one, never half of each.
 */
export async function buildIndexFromFiles(options: BuildIndexOptions): Promise<IndexManifest> {
  const out = resolve(options.out);
  if (
    (await exists(out)) &&
    !(await exists(resolve(out, MANIFEST_FILE))) &&
    (await readdir(out)).length > 0
  ) {
    throw new PlaygroundError(
      'bad_input',
      `--out ${out} exists and is not a search index; choose an empty or new directory.`,
    );
  }
  const files = await resolveInputs(options.inputs);
  if (files.length === 0)
    throw new PlaygroundError('bad_input', 'No input files found in --input.');
  options.onStart?.(files);

  const partial = `${out}.partial`;
  await rm(partial, { recursive: true, force: true });
  const chunkWords = options.chunkWords ?? 100;
  const builder = new IndexBuilder({
    sink: await dirIndexSink(partial),
    config: { ...options.config, chunkWords },
  });
  try {
    const bytesTotal = files.reduce((s, f) => s + f.bytes, 0);
    const limit = options.limit ?? Infinity;
    let bytesBefore = 0;
    let lastReport = 0;
    outer: for (const file of files) {
      const source = builder.addSource(file.path, file.format);
      let fileBytes = 0;
      const report = (force: boolean) => {
        const now = Date.now();
        if (!force && now - lastReport < 100) return;
        lastReport = now;
        options.onProgress?.({
          file: file.path,
          bytesDone: bytesBefore + fileBytes,
          bytesTotal,
          passages: builder.passageCount,
          duplicates: builder.duplicateCount,
        });
      };
      for await (const passage of readPassages(file, {
        chunkWords,
        onBytes: (n) => {
          fileBytes = n;
        },
      })) {
        throwIfAborted(options.signal);
        await builder.add(passage, source);
        report(false);
        if (builder.passageCount >= limit) break outer;
      }
      bytesBefore += file.bytes;
      fileBytes = 0;
      report(true);
    }
    const manifest = await builder.finish();
    await rm(out, { recursive: true, force: true });
    await rename(partial, out);
    return manifest;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}
