import { Index } from 'flexsearch';
import type { IndexConfig } from './manifest.ts';
import { tokenize } from './tokenize.ts';

export interface FlexIndex {
  index: Index;
  /** Adds a passage whose terms are already known, sparing FlexSearch a second tokenisation. */
  addTokenized(doc: number, text: string, terms: string[]): void;
}

/**
 * The FlexSearch index as both builder and loader create it: an import only works into an
 * index with the identical configuration, encoder included.
 */
export function createFlexIndex(config: IndexConfig): FlexIndex {
  let pending: { text: string; terms: string[] } | undefined;
  const index = new Index({
    tokenize: config.flexsearch.tokenize,
    resolution: config.flexsearch.resolution,
    encode: (text: string) => (pending?.text === text ? pending.terms : tokenize(text)),
    fastupdate: false,
    cache: false,
  });
  return {
    index,
    addTokenized(doc, text, terms) {
      pending = { text, terms };
      try {
        index.add(doc, text);
      } finally {
        pending = undefined;
      }
    },
  };
}
