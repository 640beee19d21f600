import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { IndexFileSink, IndexFileSource } from '../index-files.ts';
import type { IndexStore } from '../offline-copy.ts';

export function dirIndexSource(dir: string): IndexFileSource {
  const root = resolve(dir);
  return {
    location: root,
    async read(name) {
      try {
        return await readFile(join(root, name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}

export async function dirIndexSink(dir: string): Promise<IndexFileSink> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  return {
    location: root,
    write: (name, data) => writeFile(join(root, name), data),
    readStream: (name) => createReadStream(join(root, name), { highWaterMark: 1 << 20 }),
    remove: (name) => rm(join(root, name), { force: true }),
  };
}

/**
 * A folder that keeps a downloaded copy of an index (the Node side of "keep for offline"):
 * `limitBytes` caps what the copy may use, like a browser's storage quota.
 */
export async function dirIndexStore(dir: string, limitBytes?: number): Promise<IndexStore> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const source = dirIndexSource(root);
  const sizeOf = async (name: string) =>
    stat(join(root, name)).then(
      (s) => s.size,
      () => undefined,
    );
  return {
    ...source,
    size: sizeOf,
    write: (name, data) => writeFile(join(root, name), data),
    async available() {
      const fs = await statfs(root);
      const free = fs.bavail * fs.bsize;
      if (limitBytes === undefined) return free;
      let used = 0;
      for (const name of await readdir(root)) used += (await sizeOf(name)) ?? 0;
      return Math.min(free, limitBytes - used);
    },
  };
}
