/**
 * The run settings panel, bound as the views bind it, in Chromium: its ranges come from the one
 * settings table (src/agent/settings.ts), a value typed out of range is clamped to the nearest
 * valid one, what is not a value is refused, and every change reaches the view.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import registryJson from '../../models/registry.json';
import BoundSettings from './harness/BoundSettings.svelte';
import { SETTINGS } from '../../src/agent/settings.ts';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import { defaultConfig, type RunConfig } from '../../src/ui/lib/run-config.ts';

const start: RunConfig = {
  ...defaultConfig(validateRegistry(registryJson)),
  engine: 'openai',
  baseUrl: 'http://127.0.0.1:8000/v1',
  modelName: 'test-model',
  samples: 4,
  temperature: 0.4,
  topP: 0.8,
  maxSteps: 5,
  maxTokens: 1024,
  pythonTimeoutS: 20,
  seed: null,
};

async function panel(options: { disabled?: boolean; initial?: RunConfig } = {}) {
  const seen: RunConfig[] = [];
  const screen = await render(BoundSettings, {
    initial: options.initial ?? start,
    disabled: options.disabled ?? false,
    onChange: (c: RunConfig) => seen.push(c),
  });
  await screen.getByText('Prompt and sampling').click();
  const last = (): RunConfig => {
    const c = seen.at(-1);
    if (!c) throw new Error('the panel reported no config');
    return c;
  };
  return { screen, seen, last };
}

const FIELDS = [
  ['Samples N', 'samples'],
  ['Temperature', 'temperature'],
  ['top_p', 'topP'],
  ['Max steps', 'maxSteps'],
  ['Max tokens / step', 'maxTokens'],
  ['Python limit (s)', 'pythonTimeoutS'],
] as const;

describe('the settings panel', () => {
  it('offers each number with the range of the settings table', async () => {
    const { screen } = await panel();
    for (const [label, key] of FIELDS) {
      const input = screen.getByLabelText(label, { exact: true });
      await expect.element(input).toHaveAttribute('min', String(SETTINGS[key].min));
      await expect.element(input).toHaveAttribute('max', String(SETTINGS[key].max));
      await expect.element(input).toHaveValue(start[key]);
    }
    await expect.element(screen.getByLabelText('Seed')).toHaveAttribute('max', String(2 ** 31 - 1));
  });

  it('clamps a number typed out of range to the nearest valid one and reports it', async () => {
    const { screen, last } = await panel();
    const cases: [string, string, number][] = [
      ['Samples N', '40', SETTINGS.samples.max],
      ['Temperature', '-3', SETTINGS.temperature.min],
      ['top_p', '0.55', 0.55],
      ['Max steps', '3.6', 4],
      ['Max steps', '40', 40],
      ['Max steps', '400', SETTINGS.maxSteps.max],
      ['Max tokens / step', '5', SETTINGS.maxTokens.min],
      ['Python limit (s)', '0', SETTINGS.pythonTimeoutS.min],
    ];
    for (const [label, typed, expected] of cases) {
      const input = screen.getByLabelText(label, { exact: true });
      await input.fill(typed);
      // The value is taken when the field is left (a change event), as when tabbing out.
      (input.element() as HTMLInputElement).dispatchEvent(new Event('change', { bubbles: true }));
      const key = FIELDS.find(([l]) => l === label)?.[1];
      if (!key) throw new Error(`no field ${label}`);
      await expect.poll(() => last()[key]).toBe(expected);
      await expect.element(input).toHaveValue(expected);
    }
    // The rest of the config is left as it was.
    expect(last().modelName).toBe('test-model');
    expect(last().engine).toBe('openai');
  });

  it('refuses a blank number, and takes only a whole seed in range', async () => {
    const { screen, last, seen } = await panel();
    const samples = screen.getByLabelText('Samples N', { exact: true });
    await samples.fill('');
    (samples.element() as HTMLInputElement).dispatchEvent(new Event('change', { bubbles: true }));
    expect(last().samples).toBe(4);

    const seed = screen.getByLabelText('Seed');
    const setSeed = async (text: string) => {
      await seed.fill(text);
      (seed.element() as HTMLInputElement).dispatchEvent(new Event('change', { bubbles: true }));
    };
    await setSeed('12');
    await expect.poll(() => last().seed).toBe(12);
    await expect.element(screen.getByText(/^Seed 12: the same question/)).toBeVisible();
    for (const bad of [String(2 ** 31), '-1', '2.5']) {
      await setSeed('12');
      await expect.poll(() => last().seed).toBe(12);
      const before = seen.length;
      await setSeed(bad);
      await expect.poll(() => seen.length > before && last().seed === null).toBe(true);
      // A refused seed means a random one, and the field says so by going blank.
      await expect.element(seed).toHaveValue(null);
    }
  });

  it('reports the mode and engine chosen, and shows the fields each needs', async () => {
    const { screen, last } = await panel();
    await expect
      .element(screen.getByLabelText('Server URL'))
      .toHaveValue('http://127.0.0.1:8000/v1');
    await screen.getByLabelText('Chain of thought').click();
    await expect.poll(() => last().mode).toBe('cot');
    // CoT is one greedy call: sampling does not apply.
    await expect.element(screen.getByLabelText('Samples N', { exact: true })).toBeDisabled();
    await expect.element(screen.getByLabelText('Seed')).toBeDisabled();
    await expect.element(screen.getByText(/Chain of thought is one greedy call/)).toBeVisible();

    await screen.getByLabelText('Engine').selectOptions('replay');
    await expect.poll(() => last().engine).toBe('replay');
    await expect.element(screen.getByLabelText('Recorded run URL')).toBeVisible();
    expect(screen.getByLabelText('Server URL').elements()).toEqual([]);
    await screen.getByLabelText('Recorded run URL').fill('examples/recorded-run.json');
    await expect.poll(() => last().runUrl).toBe('examples/recorded-run.json');
  });

  it('explains SAG when more than one sample is asked for', async () => {
    const { screen } = await panel();
    await expect.element(screen.getByText(/N = 4: every step samples 4 actions/)).toBeVisible();
  });

  it('takes no input while a run holds it', async () => {
    const { screen } = await panel({ disabled: true });
    await expect
      .element(screen.getByRole('group', { name: 'Run settings' }))
      .toHaveAttribute('disabled');
    for (const label of ['Samples N', 'Engine', 'Server URL', 'Agent']) {
      const el = screen.getByLabelText(label, { exact: true }).element();
      expect(el.matches(':disabled'), label).toBe(true);
    }
  });
});
