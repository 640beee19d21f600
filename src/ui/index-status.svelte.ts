/**
 * Whether the app's origin serves a search index, from /local-assets.json (written by the build,
 * answered live by the dev server), so a missing index costs no failed request.
 */
import { localAssets } from './local-assets.ts';

export const INDEX_URL = `${import.meta.env.BASE_URL}generated/index/`;

/**
 * What the app tells its user when no index is served (the model itself sees NO_INDEX_TEXT of
 * src/search/web-search-tool.ts). Browser terms: the fix is on the host's side, not a command.
 */
export const NO_INDEX_NOTICE =
  'This app serves no Wikipedia index, so web_search tells the model it has none and answers rest on what the model already knows. ' +
  'To search Wikipedia, open a copy of the app that serves the index (whoever hosts this one can add it).';

interface LocalAssets {
  index?: { url: string; passages: number | null } | null;
}

export class IndexStatus {
  state = $state<'unknown' | 'present' | 'missing'>('unknown');
  passages = $state<number | null>(null);
  private once: Promise<boolean> | null = null;

  /** True when an index is served. */
  check(): Promise<boolean> {
    this.once ??= (async () => {
      const assets = (await localAssets()) as LocalAssets | null;
      this.passages = assets?.index?.passages ?? null;
      this.state = assets?.index ? 'present' : 'missing';
      return this.state === 'present';
    })();
    return this.once;
  }
}

export const indexStatus = new IndexStatus();
