/**
 * "Keep for offline": the app's search index copied into browser storage (OPFS), so web_search
 * works with no network. The copy is used once complete and matching the served index (or when
 * the served one cannot be reached).
 */
import { PlaygroundError } from '../errors.ts';
import {
  downloadIndex,
  fetchIndexSource,
  opfsIndexStore,
  planOfflineCopy,
  removeOpfsIndex,
  MANIFEST_FILE,
  type IndexFileSource,
} from '../search/index.ts';
import { INDEX_URL } from './index-status.svelte.ts';

// What a person in the app can do about a missing or damaged index (they have no CLI).
const SERVED_REPAIR =
  'Reload the page to fetch it again. If that does not help, the index this app serves is damaged and whoever runs the app needs to rebuild it.';
const KEPT_REPAIR =
  'Remove the offline copy (the Remove button beside "Search index kept offline"): searches then read the served index, and you can keep it again.';

const served = (): IndexFileSource => fetchIndexSource(INDEX_URL, undefined, SERVED_REPAIR);

function createdAt(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  try {
    return (JSON.parse(new TextDecoder().decode(bytes)) as { createdAt?: string }).createdAt;
  } catch {
    return undefined;
  }
}

export class OfflineIndex {
  state = $state<'unsupported' | 'unknown' | 'available' | 'saving' | 'kept' | 'failed'>('unknown');
  totalBytes = $state(0);
  doneBytes = $state(0);
  error = $state<string | null>(null);
  private controller: AbortController | null = null;

  get supported(): boolean {
    return (
      typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function'
    );
  }

  /** Size to show before starting, and whether a copy is already kept. */
  async refresh(): Promise<void> {
    if (!this.supported) {
      this.state = 'unsupported';
      return;
    }
    try {
      const plan = await planOfflineCopy(served(), opfsIndexStore());
      this.totalBytes = plan.totalBytes;
      this.doneBytes = plan.storedBytes;
      this.state = plan.complete ? 'kept' : 'available';
    } catch {
      // No network: a kept copy still answers.
      this.state = (await opfsIndexStore().read(MANIFEST_FILE)) ? 'kept' : 'unknown';
    }
  }

  async keep(): Promise<void> {
    this.controller = new AbortController();
    this.state = 'saving';
    this.error = null;
    try {
      await downloadIndex(served(), opfsIndexStore(), {
        signal: this.controller.signal,
        onProgress: (p) => {
          this.doneBytes = p.doneBytes;
          this.totalBytes = p.totalBytes;
        },
      });
      this.state = 'kept';
    } catch (err) {
      const e = PlaygroundError.from(err);
      this.error =
        e.code === 'aborted'
          ? null
          : e.code === 'index_missing'
            ? 'The connection dropped. Try again: the download resumes where it stopped.'
            : e.message;
      this.state = 'failed';
    } finally {
      this.controller = null;
    }
  }

  cancel(): void {
    this.controller?.abort();
  }

  /** Frees the space; reads fall through to the served index (see indexSource). */
  async remove(): Promise<void> {
    this.error = null;
    try {
      await removeOpfsIndex();
    } catch (err) {
      this.error = PlaygroundError.from(err).message;
    }
    await this.refresh();
  }
}

export const offlineIndex = new OfflineIndex();

/**
 * Where the app reads its index: the kept copy when it is complete and the same build as the
 * served one (or the server is out of reach), otherwise the server. A file the kept copy no
 * longer holds (it was removed) is read from the server.
 */
export async function indexSource(): Promise<IndexFileSource> {
  const fromServer = served();
  if (!offlineIndex.supported) return fromServer;
  const store = opfsIndexStore(undefined, KEPT_REPAIR);
  const kept = createdAt(await store.read(MANIFEST_FILE).catch(() => undefined));
  if (!kept) return fromServer;
  const current = await fromServer.read(MANIFEST_FILE).then(createdAt, () => undefined);
  if (current !== undefined && current !== kept) return fromServer;
  return {
    location: store.location,
    repair: KEPT_REPAIR,
    async read(name, signal) {
      return (
        (await store.read(name, signal).catch(() => undefined)) ?? fromServer.read(name, signal)
      );
    },
  };
}
