/**
 * wllama's compat build (Asyncify instead of JSPI, 32-bit memory) for Safari and Firefox, served
 * from our own origin instead of wllama's default CDN. Its worker script is inlined as text, as
 * @wllama/wllama-compat asks of Vite apps; this module is loaded only with the CPU engine.
 */
import type { WllamaCompat } from '@wllama/wllama';
import compatWasm from '@wllama/wllama-compat/wasm/wllama.wasm?url';
import compatWorker from '@wllama/wllama-compat/wasm/wllama.js?raw';

export function wllamaCompat(): WllamaCompat {
  return { wasm: compatWasm, worker: { code: compatWorker } };
}
