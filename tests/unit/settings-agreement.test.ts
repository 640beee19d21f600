import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { validateDeck } from '../../src/ui/present/deck.ts';
import { SETTINGS } from '../../src/agent/settings.ts';
import { addEngineOptions } from '../../src/cli/engine-options.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import { configFromParams, defaultConfig, LIMITS } from '../../src/ui/lib/run-config.ts';
import { liveConfig } from '../../src/ui/present/live-config.ts';

const registryJson = JSON.parse(readFileSync('models/registry.json', 'utf8')) as {
  models: Record<string, unknown>[];
};
const registry = validateRegistry(registryJson);
const base = defaultConfig(registry);

function deckQuestion(settings: Record<string, unknown>) {
  const deck = validateDeck({
    format: 'small-agent-playground/deck',
    version: 1,
    title: 't',
    items: [{ type: 'question', question: 'Q?', mode: 'agent', settings }],
  });
  const item = deck.items[0];
  if (item?.type !== 'question') throw new Error('expected a question item');
  return item;
}

function registryWithSamples(samples: number) {
  const first = registryJson.models[0];
  const sampling = { ...(first?.sampling as Record<string, unknown>), samples };
  return { ...registryJson, models: [{ ...first, sampling }] };
}

function cliOptions(args: string[]): Record<string, unknown> {
  const cmd = addEngineOptions(new Command('x')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('one settings table', () => {
  it('a deck, the app and the CLI take the largest step count alike', () => {
    const max = SETTINGS.maxSteps.max;
    expect(liveConfig(deckQuestion({ maxSteps: max }), base, registry).maxSteps).toBe(max);
    expect(
      configFromParams(new URLSearchParams({ maxSteps: String(max) }), base, registry),
    ).toMatchObject({ maxSteps: max });
    expect(cliOptions(['--max-steps', String(max)]).maxSteps).toBe(max);
    expect(LIMITS.maxSteps.max).toBe(max);
  });

  it('a deck and the CLI refuse one step too many, naming the field and range; a link clamps', () => {
    const over = SETTINGS.maxSteps.max + 1;
    expect(() => deckQuestion({ maxSteps: over })).toThrow(
      `items[0].settings.maxSteps must be an integer from 1 to ${SETTINGS.maxSteps.max}, got ${over}`,
    );
    expect(() => cliOptions(['--max-steps', String(over)])).toThrow(
      `--max-steps must be a whole number from 1 to ${SETTINGS.maxSteps.max}`,
    );
    const linked = configFromParams(
      new URLSearchParams({ maxSteps: String(over) }),
      base,
      registry,
    );
    expect(linked.maxSteps).toBe(SETTINGS.maxSteps.max);
  });

  it('the registry allows no more samples than the agent votes over', () => {
    const max = SETTINGS.samples.max;
    expect(validateRegistry(registryWithSamples(max)).models[0]?.sampling.samples).toBe(max);
    expect(() => validateRegistry(registryWithSamples(max + 1))).toThrow(
      `models[0].sampling.samples must be an integer from 1 to ${max}, got ${max + 1}`,
    );
    expect(() => deckQuestion({ samples: max + 1 })).toThrow(`from 1 to ${max}`);
    expect(() => cliOptions(['--samples', String(max + 1)])).toThrow(`from 1 to ${max}`);
  });

  it('the Python time limit of a deck (ms) and of the app (s) share one range', () => {
    const { min, max } = SETTINGS.pythonTimeoutS;
    expect(
      liveConfig(deckQuestion({ pythonTimeoutMs: max * 1000 }), base, registry).pythonTimeoutS,
    ).toBe(max);
    expect(() => deckQuestion({ pythonTimeoutMs: min * 1000 - 1 })).toThrow(
      `items[0].settings.pythonTimeoutMs must be a number from ${min * 1000} to ${max * 1000}`,
    );
    expect(LIMITS.pythonTimeoutS).toMatchObject({ min, max });
  });
});
