/**
 * The CLI's one sandbox-and-tools wiring (ask, chat, eval, distill): the Node sandbox with
 * web_search over the retriever the options name. The app's counterpart is startBrowserSandbox
 * (src/ui/execute-run.ts); both take the tool from createWebSearchTool.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createNodeSandbox } from '../python/node-sandbox.ts';
import type { PythonSandbox, Retriever } from '../agent/ports.ts';
import { MANIFEST_FILE } from '../search/manifest.ts';
import { defaultIndexDir, namedIndexDir } from '../search/node/index-dir.ts';
import { openLocalIndex } from '../search/node/open.ts';
import { createRemoteRetriever } from '../search/remote-retriever.ts';
import { createWebSearchTool } from '../search/web-search-tool.ts';
import { REPO_ROOT } from '../python/node-bundle.ts';
import type { EngineCliOptions } from './engine-options.ts';

/** Where `playground setup` puts the app's default index; `ask` uses it when no index is named. */
export const DEFAULT_INDEX_DIR = defaultIndexDir(REPO_ROOT);

/** The retriever the options name, else the default index; null when there is none. */
export async function createCliRetriever(
  opts: Pick<EngineCliOptions, 'index' | 'retrieverUrl'>,
): Promise<Retriever | null> {
  if (opts.retrieverUrl) return createRemoteRetriever(opts.retrieverUrl);
  if (opts.index === false) return null;
  if (opts.index) return openLocalIndex(resolve(opts.index));
  const named = namedIndexDir();
  if (named) return openLocalIndex(named);
  if (existsSync(join(DEFAULT_INDEX_DIR, MANIFEST_FILE))) return openLocalIndex(DEFAULT_INDEX_DIR);
  return null;
}

export async function createCliSandbox(
  opts: Pick<
    EngineCliOptions,
    'index' | 'retrieverUrl' | 'pythonPackages' | 'timeoutS' | 'pythonMemoryMb'
  >,
  retriever?: Retriever | null,
): Promise<PythonSandbox> {
  const r = retriever === undefined ? await createCliRetriever(opts) : retriever;
  const sandbox = createNodeSandbox({
    tools: [createWebSearchTool(r)],
    timeoutMs: Math.round(opts.timeoutS * 1000),
    memoryLimitMb: opts.pythonMemoryMb,
    ...(opts.pythonPackages ? { pythonPackagesDir: opts.pythonPackages } : {}),
  });
  try {
    await sandbox.start();
  } catch (err) {
    // As in the app: a sandbox that fails to start is not left running with nobody to end it.
    await sandbox.dispose().catch(() => undefined);
    throw err;
  }
  return sandbox;
}
