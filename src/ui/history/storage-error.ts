/** IndexedDB failures as PlaygroundErrors that tell the user what to do. */
import { PlaygroundError } from '../../errors.ts';

function isQuota(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  // Firefox reports NS_ERROR_DOM_QUOTA_REACHED; transactions abort with the quota error inside.
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  const inner = (err as { error?: unknown; cause?: unknown } | null) ?? null;
  return inner !== null && (isQuota(inner.error) || isQuota(inner.cause));
}

export function storageError(err: unknown, doing: string): PlaygroundError {
  if (err instanceof PlaygroundError) return err;
  if (isQuota(err)) {
    return new PlaygroundError(
      'quota_exceeded',
      `The browser has no room left to ${doing} (storage quota exceeded). ` +
        'Delete old runs in History (export them first to keep them), or free space for this site, then try again. ' +
        'The run on screen is not lost: it can still be exported.',
      { cause: err },
    );
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new PlaygroundError(
    'storage_failed',
    `Could not ${doing} in this browser's storage (${detail}). ` +
      'Private windows and some privacy settings disable storage; the run on screen is not lost and can be exported.',
    { cause: err },
  );
}
