// The search API for Node (CLI, agent runs, benchmarks): reads folders and input files.
export { buildIndexFromFiles, type BuildIndexOptions, type BuildProgress } from './build.ts';
export { dirIndexSink, dirIndexSource, dirIndexStore } from './fs-files.ts';
export {
  detectFormat,
  readPassages,
  resolveInputs,
  type InputFile,
  type InputFormat,
} from './inputs.ts';
export { openLocalIndex } from './open.ts';
