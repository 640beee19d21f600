/**
 * Where the app's index lives, for the dev/preview server and the CLI alike: the folder
 * PLAYGROUND_INDEX_DIR names, else public/generated/index, where `playground setup` builds it.
 */
import { join, resolve } from 'node:path';

export const INDEX_DIR_VARIABLE = 'PLAYGROUND_INDEX_DIR';

export function defaultIndexDir(repoRoot: string): string {
  return join(repoRoot, 'public', 'generated', 'index');
}

/** The folder $PLAYGROUND_INDEX_DIR names, absolute; undefined when it is unset or blank. */
export function namedIndexDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[INDEX_DIR_VARIABLE]?.trim();
  return named ? resolve(named) : undefined;
}
