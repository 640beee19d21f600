// The Pyodide worker inside the browser sandbox frame (src/python/browser-sandbox.ts). A classic
// script started from a blob: URL; it has no network and no storage.
import { loadPyodide } from 'pyodide';
import { startBrowserRuntime, type WorkerScope } from '../python/browser-runtime.ts';

startBrowserRuntime(globalThis as unknown as WorkerScope, loadPyodide);
