/**
 * SharedArrayBuffer (Pyodide interrupts, the synchronous tool bridge) needs a cross-origin
 * isolated page (COOP + COEP), and under COEP every file it loads must allow being embedded
 * (CORP). One set, for the dev and preview servers and the tests that serve the built app.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
