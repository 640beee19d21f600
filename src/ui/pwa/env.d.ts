/** True in `vite build` output, false under `vite dev` (defined in build/vite/service-worker.ts). */
declare const __SERVICE_WORKER__: boolean;
