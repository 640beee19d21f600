/** True in `vite build` output, false under `vite dev` (defined in vite.config.ts). */
declare const __SERVICE_WORKER__: boolean;
