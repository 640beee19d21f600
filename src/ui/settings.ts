/** The last settings used, so a reload starts where the user left off (never the API key). */
import { defaultConfig, parseSeed, type RunConfig } from './lib/run-config.ts';
import { registry } from './models.svelte.ts';

const KEY = 'sap.settings';

export function savedConfig(): RunConfig {
  const base = defaultConfig(registry);
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return base;
    const saved = JSON.parse(raw) as Partial<RunConfig>;
    const merged: RunConfig = { ...base };
    for (const k of Object.keys(base) as (keyof RunConfig)[]) {
      const v = saved[k];
      if (k !== 'apiKey' && k !== 'seed' && typeof v === typeof base[k])
        Object.assign(merged, { [k]: v });
    }
    merged.seed = typeof saved.seed === 'number' ? parseSeed(String(saved.seed)) : null;
    if (!registry.models.some((m) => m.id === merged.model)) merged.model = base.model;
    return merged;
  } catch {
    return base;
  }
}

/**
 * What a view starts from: a link that says anything is taken as the whole truth over the
 * defaults (so shared links and automated checks behave the same everywhere); a bare visit gets
 * the last settings used.
 */
export function startingConfig(params: URLSearchParams): RunConfig {
  return params.size > 0 ? defaultConfig(registry) : savedConfig();
}

export function saveConfig(c: RunConfig): void {
  // A recorded run is played once from its link; the next visit should not open in replay.
  if (c.engine === 'replay') return;
  const { apiKey: _secret, ...rest } = c;
  try {
    localStorage.setItem(KEY, JSON.stringify(rest));
  } catch {
    // Private mode or a full quota: settings simply are not remembered.
  }
}
