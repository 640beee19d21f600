/**
 * The message for a model that failed to load: which model, where its files were fetched from,
 * and what to try next, on top of what went wrong.
 */
import { PlaygroundError } from '../errors.ts';
import type { ModelEntry } from './model-registry.ts';

export function hostOf(url: string, origin: string): string | null {
  try {
    return new URL(url, origin).host;
  } catch {
    return null;
  }
}

/**
 * `from` names where the weights came from (a host, the app's server, the browser cache);
 * `loadedAs` is the entry as loaded (a local copy may replace the registry's URLs).
 */
export function loadFailure(
  e: PlaygroundError,
  entry: ModelEntry,
  loadedAs: ModelEntry,
  from: string,
  origin: string,
): PlaygroundError {
  const libHost = hostOf(loadedAs.modelLib, origin);
  const tried =
    libHost && !from.includes(libHost)
      ? `weights from ${from}, model library from ${libHost}`
      : `files from ${from}`;
  const network = e.code === 'engine_unreachable' || e.code === 'model_load_failed';
  const next = network
    ? ` Next: check the connection and try again (a model already in this browser's cache loads offline); if ${from} is blocked on this network, get the model folder another way and add it from disk under Models → Add a model.`
    : '';
  return new PlaygroundError(e.code, `${entry.label} (tried ${tried}): ${e.message}${next}`, {
    cause: e,
  });
}
