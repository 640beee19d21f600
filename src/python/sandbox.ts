/** The sandbox port lives with the method (src/agent/ports.ts); re-exported for older imports. */
export type * from '../agent/ports.ts';
