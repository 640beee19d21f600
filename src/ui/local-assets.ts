/**
 * /local-assets.json (written by the build, answered live by the dev server): what the app's
 * origin serves besides the app. Fetched once and shared by the stores that read it
 * (index-status.svelte.ts, python-packages.svelte.ts), which the chat view mounts together.
 */
let once: Promise<unknown> | null = null;

/** The parsed file, or null when it is not served or cannot be read. */
export function localAssets(): Promise<unknown> {
  once ??= (async () => {
    try {
      const res = await fetch(`${import.meta.env.BASE_URL}local-assets.json`);
      return res.ok ? ((await res.json()) as unknown) : null;
    } catch {
      return null;
    }
  })();
  return once;
}
