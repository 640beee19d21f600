/**
 * Whether the app's origin serves a search index, from /local-assets.json (written by the build,
 * answered live by the dev server), so a missing index costs no failed request.
 */
export const INDEX_URL = `${import.meta.env.BASE_URL}generated/index/`;

interface LocalAssets {
  index: { url: string; passages: number | null } | null;
}

export class IndexStatus {
  state = $state<'unknown' | 'present' | 'missing'>('unknown');
  passages = $state<number | null>(null);
  private once: Promise<boolean> | null = null;

  /** True when an index is served. */
  check(): Promise<boolean> {
    this.once ??= (async () => {
      try {
        const res = await fetch(`${import.meta.env.BASE_URL}local-assets.json`);
        const assets = res.ok ? ((await res.json()) as LocalAssets) : { index: null };
        this.passages = assets.index?.passages ?? null;
        this.state = assets.index ? 'present' : 'missing';
      } catch {
        this.state = 'missing';
      }
      return this.state === 'present';
    })();
    return this.once;
  }
}

export const indexStatus = new IndexStatus();
