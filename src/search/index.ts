// The search API shared by the browser and Node. Node-only helpers are in ./node/index.ts.
export { parseContents, toContents } from './contents.ts';
export { formatRetrievedDocuments, formatScore } from './format.ts';
export {
  IndexBuilder,
  type AddResult,
  type IndexBuilderOptions,
  type PassageInput,
} from './index-builder.ts';
export {
  fetchIndexSource,
  MemoryIndexFiles,
  type IndexFileSink,
  type IndexFileSource,
} from './index-files.ts';
export { loadIndex, type LoadIndexOptions } from './load-index.ts';
export { LocalIndex, type ScoredDoc, type SearchOptions } from './local-index.ts';
export {
  downloadIndex,
  opfsIndexStore,
  removeOpfsIndex,
  planOfflineCopy,
  type IndexStore,
  type OfflinePlan,
  type OfflineProgress,
} from './offline-copy.ts';
export { MANIFEST_FILE, type IndexConfig, type IndexManifest } from './manifest.ts';
export {
  createRemoteRetriever,
  RemoteRetriever,
  type RemoteRetrieverOptions,
} from './remote-retriever.ts';
export { tokenize } from './tokenize.ts';
export { createWebSearchTool } from './web-search-tool.ts';
