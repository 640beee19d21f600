/**
 * Remembers what `playground setup --if-missing` last reported missing (in .cache/, git-ignored),
 * so `npm start`, which runs it on every start, prints the full block once and not again until
 * the missing set changes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../python/node-bundle.ts';

/** Overridable for tests, which must not share the repository's state. */
function stateFile(): string {
  return process.env.PLAYGROUND_SETUP_NOTICE_FILE ?? join(REPO_ROOT, '.cache/setup-notice.json');
}

/** The first line of each failure names what is missing; the details (the network error) vary. */
function fingerprint(failures: readonly { code: string; message: string }[]): string[] {
  return failures.map((e) => `${e.code}: ${e.message.split('\n')[0] ?? ''}`).sort();
}

/** Something was reported missing before and not yet fixed. */
export function hasReport(): boolean {
  return existsSync(stateFile());
}

export function alreadyReported(failures: readonly { code: string; message: string }[]): boolean {
  try {
    const saved = JSON.parse(readFileSync(stateFile(), 'utf8')) as { reported?: unknown };
    return JSON.stringify(saved.reported) === JSON.stringify(fingerprint(failures));
  } catch {
    return false;
  }
}

export function remember(failures: readonly { code: string; message: string }[]): void {
  try {
    mkdirSync(dirname(stateFile()), { recursive: true });
    writeFileSync(stateFile(), JSON.stringify({ reported: fingerprint(failures) }) + '\n');
  } catch {
    // A read-only checkout: the block is printed every time, as before.
  }
}

/** Everything is in place: a later failure is news again. */
export function forgetReport(): void {
  rmSync(stateFile(), { force: true });
}
