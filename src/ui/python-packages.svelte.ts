/**
 * Whether the app's origin serves Pyodide's numpy/sympy/mpmath wheels, from /local-assets.json
 * (written by the build, answered live by the dev server), so the app can say before a run that
 * code importing them will fail, and which command fetches them.
 */
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
      try {
        const res = await fetch(`${import.meta.env.BASE_URL}local-assets.json`);
        if (!res.ok) return;
        const body = (await res.json()) as LocalAssets;
        const list = body.python?.missing;
        if (Array.isArray(list)) this.missing = list.filter((p) => typeof p === 'string');
      } catch {
        // No local-assets.json (static hosting of someone else's build): nothing to say.
      }
    })();
    return this.once;
  }
}

export const pythonPackages = new PythonPackagesStatus();
