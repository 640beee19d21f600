/**
 * What this browser has for a deck's live questions: the model each would run on (loaded in
 * WebLLM, or a server that answers), the search index, and Pyodide's numpy/sympy wheels.
 */
import type { DeckEnvironment, NeedCheck } from './deck-preflight.ts';
import type { DeckQuestion } from './deck.ts';
import { PlaygroundError } from '../../errors.ts';
import { indexStatus, NO_INDEX_NOTICE } from '../index-status.svelte.ts';
import type { RunConfig } from '../lib/run-config.ts';
import { models, registry } from '../models.svelte.ts';
import { liveConfig } from './live-config.ts';
import { FETCH_PACKAGES_COMMAND, pythonPackages } from '../python-packages.svelte.ts';

/** The app-wide check of Pyodide's numpy/sympy wheels, as the deck's need. */
async function pythonPackagesNeed(): Promise<NeedCheck> {
  await pythonPackages.check();
  const missing = pythonPackages.missing;
  if (missing === null)
    return {
      state: 'unknown',
      detail: "the app's server does not say which Python packages it serves",
    };
  return missing.length === 0
    ? { state: 'ok', detail: 'numpy and sympy are served with Pyodide' }
    : {
        state: 'missing',
        detail: `${missing.join(' and ')} not installed: run \`${FETCH_PACKAGES_COMMAND}\` on the machine that serves the app`,
      };
}

async function serverAnswers(config: RunConfig): Promise<NeedCheck> {
  const base = config.baseUrl.trim().replace(/\/+$/, '');
  if (!base || !config.modelName.trim())
    return { state: 'missing', detail: 'no model server set: give its URL and model name in Chat' };
  try {
    const res = await fetch(`${base}/models`, { signal: AbortSignal.timeout(4000) });
    return res.ok
      ? { state: 'ok', detail: `${config.modelName} at ${base} answers` }
      : { state: 'missing', detail: `${base} answered HTTP ${res.status}` };
  } catch {
    return { state: 'missing', detail: `${base} does not answer: start the server` };
  }
}

function webllmModel(config: RunConfig): NeedCheck {
  const entry = registry.models.find((m) => m.id === config.model);
  const label = entry?.label ?? config.model;
  if (models.loaded?.entry.id === config.model)
    return { state: 'ok', detail: `${label} is loaded` };
  return {
    state: 'missing',
    detail: `${label} is not loaded: load it in Models before the talk`,
  };
}

/** Checks what it can now; a server is asked once per address. */
export async function deckEnvironment(
  items: readonly { item: DeckQuestion; index: number }[],
  base: RunConfig,
): Promise<DeckEnvironment> {
  const [present, python] = await Promise.all([indexStatus.check(), pythonPackagesNeed()]);
  const checks = new Map<number, NeedCheck>();
  const servers = new Map<string, Promise<NeedCheck>>();
  for (const { item, index } of items) {
    let config: RunConfig;
    try {
      config = liveConfig(item, base, registry);
    } catch (err) {
      checks.set(index, { state: 'missing', detail: PlaygroundError.from(err).message });
      continue;
    }
    if (config.engine === 'webllm') checks.set(index, webllmModel(config));
    else if (config.engine === 'replay') checks.set(index, { state: 'ok', detail: 'a recording' });
    else {
      const key = `${config.baseUrl}|${config.modelName}`;
      let check = servers.get(key);
      if (!check) {
        check = serverAnswers(config);
        servers.set(key, check);
      }
      checks.set(index, await check);
    }
  }
  return {
    model: (_item, index) => checks.get(index) ?? { state: 'unknown', detail: 'not checked' },
    index: present
      ? {
          state: 'ok',
          detail: `served${indexStatus.passages !== null ? ` (${indexStatus.passages.toLocaleString('en-US')} passages)` : ''}`,
        }
      : {
          state: 'missing',
          detail: NO_INDEX_NOTICE,
        },
    python,
  };
}
