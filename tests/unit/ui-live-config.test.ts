import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDeck } from '../../src/ui/present/deck.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import { defaultConfig } from '../../src/ui/lib/run-config.ts';
import { liveConfig } from '../../src/ui/present/live-config.ts';

const registry = validateRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));
const chat = {
  ...defaultConfig(registry),
  engine: 'openai' as const,
  baseUrl: 'http://127.0.0.1:9/v1',
  modelName: 'served',
  seed: 3,
};

function question(extra: Record<string, unknown>) {
  const deck = validateDeck({
    format: 'small-agent-playground/deck',
    version: 1,
    title: 't',
    items: [{ type: 'question', question: 'Q?', mode: 'agent', ...extra }],
  });
  const item = deck.items[0];
  if (item?.type !== 'question') throw new Error('expected a question item');
  return item;
}

describe('a live deck question runs with', () => {
  it("the chat's settings when the deck fixes nothing", () => {
    expect(liveConfig(question({}), chat, registry)).toEqual({ ...chat, mode: 'agent' });
  });

  it("the deck's settings on top, its seed included", () => {
    const c = liveConfig(
      question({ settings: { samples: 4, temperature: 0.7, pythonTimeoutMs: 5000, seed: 42 } }),
      chat,
      registry,
    );
    expect(c).toMatchObject({
      engine: 'openai',
      modelName: 'served',
      samples: 4,
      temperature: 0.7,
      pythonTimeoutS: 5,
      seed: 42,
    });
  });

  it('a registry model in the browser when the deck names one, and refuses an unknown one', () => {
    const first = registry.models[0];
    if (!first) throw new Error('the registry is empty');
    const c = liveConfig(question({ model: first.id }), chat, registry);
    expect([c.engine, c.model, c.profile]).toEqual(['webllm', first.id, first.promptProfile]);
    expect(() => liveConfig(question({ model: 'no-such-model' }), chat, registry)).toThrow(
      /"no-such-model", which is not in models\/registry.json/,
    );
  });
});
