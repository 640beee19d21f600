import type { LocalIndex } from '../local-index.ts';
import { loadIndex, type LoadIndexOptions } from '../load-index.ts';
import { dirIndexSource } from './fs-files.ts';

/** `playground ask --index <dir>`: the index built by `playground index build --out <dir>`. */
export function openLocalIndex(dir: string, options?: LoadIndexOptions): Promise<LocalIndex> {
  return loadIndex(dirIndexSource(dir), options);
}
