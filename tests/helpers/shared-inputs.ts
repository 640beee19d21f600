/**
 * Inputs from ../shared (the spec's prompt files, the data sets) that tests compare against.
 * Outside CI a test whose inputs are missing skips and says why; in CI (CI=true, which .ci/run
 * sets) a missing input fails the test file, since a silent skip would hide that the comparison
 * never ran.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared data folder: $AGENT_DATA_DIR, else ../shared/data beside the repository. */
export const SHARED_DATA_DIR = resolve(
  process.env.AGENT_DATA_DIR ?? resolve(import.meta.dirname, '../../../shared/data'),
);

/** True when every path exists. When one is missing: throws in CI, else warns and returns false. */
export function haveSharedInputs(what: string, paths: readonly string[]): boolean {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  const why = `${what} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} missing. Set AGENT_DATA_DIR to the shared data folder.`;
  if (process.env.CI === 'true') throw new Error(`In CI: ${why}`);
  console.warn(`Skipped: ${why}`);
  return false;
}
