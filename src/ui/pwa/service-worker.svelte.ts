/**
 * The app's service worker as the UI sees it (registered with workbox-window). Builds only
 * (build/vite/service-worker.ts defines __SERVICE_WORKER__): `vite dev` has none, so edits are never served from
 * a stale cache.
 *
 * Updates wait for the user ("update ready / reload"): reloading on our own could cut a run in
 * half, and until the reload the old worker keeps serving the old build whole, never a mix.
 */
import { Workbox } from 'workbox-window';

export type OfflineState =
  /** No service worker (dev server, or a browser without them). */
  | 'none'
  /** First visit: the app, Pyodide and the index are being stored. */
  | 'saving'
  /** Everything is stored: the app works with the network off. */
  | 'ready'
  /** A new build is stored and waits for a reload. */
  | 'update-ready'
  | 'failed';

class ServiceWorkerStatus {
  state = $state<OfflineState>('none');
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  private wb: Workbox | null = null;

  register(): void {
    if (!__SERVICE_WORKER__ || !('serviceWorker' in navigator) || this.wb) return;
    addEventListener('online', () => (this.online = true));
    addEventListener('offline', () => (this.online = false));
    const base = import.meta.env.BASE_URL;
    const wb = new Workbox(`${base}sw.js`, { scope: base });
    this.wb = wb;
    wb.addEventListener('installed', (e) => {
      // The first install has stored the whole precache before it reports installed.
      if (!e.isUpdate) this.state = 'ready';
    });
    wb.addEventListener('waiting', () => (this.state = 'update-ready'));
    // Another tab took the update: this page now runs on a worker of a newer build, so reload
    // it too rather than mix the two.
    wb.addEventListener('controlling', (e) => {
      if (e.isUpdate) location.reload();
    });
    this.state = navigator.serviceWorker.controller ? 'ready' : 'saving';
    wb.register().then(
      (reg) => {
        if (!reg) this.state = 'failed';
        else if (reg.waiting) this.state = 'update-ready';
      },
      () => (this.state = 'failed'),
    );
  }

  /** Activates the waiting build; the 'controlling' handler reloads the page onto it. */
  applyUpdate(): void {
    this.wb?.messageSkipWaiting();
  }
}

export const serviceWorker = new ServiceWorkerStatus();
