import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { IndexFileSink, IndexFileSource } from '../index-files.ts';

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
