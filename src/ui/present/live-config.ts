/**
 * The settings a live deck question runs with: the chat's current settings (engine, server,
 * model), with what the deck item fixes on top, so a deck says only what matters to the talk.
 */
import type { DeckQuestion } from './deck.ts';
import type { ModelRegistry } from '../../engines/model-registry.ts';
import { PlaygroundError } from '../../errors.ts';
import { clampNumber, withModelDefaults, type RunConfig } from '../lib/run-config.ts';

export function liveConfig(
  item: DeckQuestion,
  base: RunConfig,
  registry: ModelRegistry,
): RunConfig {
  let c: RunConfig = { ...base, mode: item.mode };
  if (item.model !== undefined) {
    const entry = registry.models.find((m) => m.id === item.model);
    if (!entry)
      throw new PlaygroundError(
        'bad_input',
        `This question asks for the model "${item.model}", which is not in models/registry.json.`,
      );
    // Registry models run in the browser, whatever engine the chat was last set to.
    c = { ...withModelDefaults(c, entry), engine: 'webllm' };
  }
  const s = item.settings ?? {};
  if (s.promptProfile !== undefined) c.profile = s.promptProfile;
  if (s.maxSteps !== undefined) c.maxSteps = clampNumber('maxSteps', s.maxSteps);
  if (s.samples !== undefined) c.samples = clampNumber('samples', s.samples);
  if (s.temperature !== undefined) c.temperature = clampNumber('temperature', s.temperature);
  if (s.topP !== undefined) c.topP = clampNumber('topP', s.topP);
  if (s.maxTokens !== undefined) c.maxTokens = clampNumber('maxTokens', s.maxTokens);
  if (s.pythonTimeoutMs !== undefined)
    c.pythonTimeoutS = clampNumber('pythonTimeoutS', s.pythonTimeoutMs / 1000);
  if (s.seed !== undefined) c.seed = s.seed;
  return c;
}
