/**
 * Whether the app's origin serves Pyodide's numpy/sympy/mpmath wheels, from /local-assets.json
 * (written by the build, answered live by the dev server), so the app can say before a run that
 * code importing them will fail, and which command fetches them.
 */
import { localAssets } from './local-assets.ts';

export const FETCH_PACKAGES_COMMAND = 'npx playground setup --pyodide-packages';

interface LocalAssets {
  python?: { missing?: unknown };
}

export class PythonPackagesStatus {
  /** Package names the sandbox cannot import; null until known (or when the server does not say). */
  missing = $state.raw<string[] | null>(null);
  private once: Promise<void> | null = null;

  check(): Promise<void> {
    this.once ??= (async () => {
      // No local-assets.json (static hosting of someone else's build): nothing to say.
      const list = ((await localAssets()) as LocalAssets | null)?.python?.missing;
      if (Array.isArray(list)) this.missing = list.filter((p) => typeof p === 'string');
    })();
    return this.once;
  }
}

export const pythonPackages = new PythonPackagesStatus();
