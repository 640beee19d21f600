import { Index } from 'flexsearch';
import type { IndexConfig } from './manifest.ts';
import { tokenize } from './tokenize.ts';

/**
 * The FlexSearch index as both builder and loader create it: an import only works into an
 * index with the identical configuration, encoder included.
 */
export function createFlexIndex(config: IndexConfig): Index {
  return new Index({
    tokenize: config.flexsearch.tokenize,
    resolution: config.flexsearch.resolution,
    encode: tokenize,
    fastupdate: false,
    cache: false,
  });
}
