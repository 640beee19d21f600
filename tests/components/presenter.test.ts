/**
 * The presenter store, driven as PresentView drives it, in Chromium: the committed demo deck
 * fetched from the test server, its recorded run revealed and played, live questions asked (or
 * refused while another view's run holds the model) with the app's own RunSession.
 */
import { afterEach, describe, expect, it } from 'vitest';
import registryJson from '../../models/registry.json';
import { validateRegistry } from '../../src/engines/model-registry.ts';
import type { ChatEngine } from '../../src/agent/ports.ts';
import { PlaygroundError } from '../../src/errors.ts';
import { parseDeck } from '../../src/ui/present/deck.ts';
import { deckFromUrl, type LoadedDeck } from '../../src/ui/present/deck-source.ts';
import type { DeckEnvironment } from '../../src/ui/present/deck-preflight.ts';
import {
  Presenter,
  type PresenterDeps,
  type PresenterStage,
} from '../../src/ui/present/presenter.svelte.ts';
import { defaultConfig, type RunConfig } from '../../src/ui/lib/run-config.ts';
import { busyElsewhere, registerRunner } from '../../src/ui/sessions.svelte.ts';

const registry = validateRegistry(registryJson);
const base: RunConfig = {
  ...defaultConfig(registry),
  engine: 'openai',
  baseUrl: 'http://127.0.0.1:9',
  modelName: 'test-model',
};

/** Everything the presenter asked of the page, in order. */
type StageCall = string;

function environment(modelReady: boolean): PresenterDeps['environment'] {
  const env: DeckEnvironment = {
    model: () =>
      modelReady
        ? { state: 'ok', detail: 'test-model answers' }
        : { state: 'missing', detail: 'start the server' },
    index: { state: 'ok', detail: 'index here' },
    python: { state: 'ok', detail: 'packages here' },
  };
  return () => Promise.resolve(env);
}

interface Harness {
  presenter: Presenter;
  stage: StageCall[];
  /** Engines asked for, with the signal each was asked with. */
  engineRequests: { config: RunConfig; signal: AbortSignal }[];
}

/** An engine that never answers: the run waits for it until it is stopped. */
function pendingEngine(requests: Harness['engineRequests']): PresenterDeps['provideEngine'] {
  return (config, signal) => {
    requests.push({ config, signal });
    return new Promise<ChatEngine>((_, reject) =>
      signal.addEventListener('abort', () =>
        reject(new PlaygroundError('aborted', 'The run was stopped.')),
      ),
    );
  };
}

function harness(options: { modelReady?: boolean; elsewhere?: () => string | null } = {}): Harness {
  const stage: StageCall[] = [];
  const engineRequests: Harness['engineRequests'] = [];
  const stageImpl: PresenterStage = {
    showStep: (i) => stage.push(`showStep ${i}`),
    toTop: () => stage.push('toTop'),
    focus: () => stage.push('focus'),
    toggleFullscreen: () => stage.push('toggleFullscreen'),
    exitFullscreen: () => stage.push('exitFullscreen'),
  };
  const presenter = new Presenter(
    {
      baseConfig: () => base,
      registry,
      busyElsewhere: options.elsewhere ?? (() => busyElsewhere('present')),
      provideEngine: pendingEngine(engineRequests),
      environment: environment(options.modelReady ?? true),
    },
    stageImpl,
  );
  return { presenter, stage, engineRequests };
}

const demo = (): Promise<LoadedDeck> => deckFromUrl('/examples/demo-deck.json', location.href);

const press = (p: Presenter, key: string, shift = false, onControl = false): boolean =>
  p.key({ key, shift, onControl });

/** Resolves once `check` holds; the preflight and runs settle on promises, not on a timer. */
async function until(check: () => boolean): Promise<void> {
  await expect.poll(check, { timeout: 5000 }).toBe(true);
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup) fn();
  cleanup = [];
});

describe('the presenter store', () => {
  it('opens the demo deck on its first item, with the recorded run to fall back to', async () => {
    const { presenter, stage } = harness();
    await presenter.open(demo);
    expect(presenter.loadError).toBeNull();
    expect(presenter.items.map((i) => i.type)).toEqual(['question', 'run', 'question']);
    expect(presenter.index).toBe(0);
    expect(presenter.item?.type).toBe('question');
    expect(presenter.live?.status).toBe('idle');
    // The CoT question's recording is the agent run of the same question.
    expect(presenter.fallback).toBe(1);
    expect(presenter.plannedConfig.config?.mode).toBe('cot');
    expect(presenter.plannedConfig.config?.modelName).toBe('test-model');
    expect(presenter.speed).toBe(1.5);
    expect(stage).toEqual(['toTop', 'focus']);
    // Everything is ready: the preflight is computed but stays closed.
    await until(() => presenter.preflight !== null);
    expect(presenter.showPreflight).toBe(false);
    presenter.goTo(presenter.fallback ?? -1, false);
    expect(presenter.item?.type).toBe('run');
  });

  it('shows the preflight on opening when a live question cannot run here', async () => {
    const { presenter } = harness({ modelReady: false });
    await presenter.open(demo);
    await until(() => presenter.showPreflight);
    const live = presenter.preflight?.filter((r) => r.live) ?? [];
    expect(live.map((r) => r.ready)).toEqual([false, false]);
    expect(live[0]?.fallback).toBe(1);
    presenter.togglePreflight();
    expect(presenter.showPreflight).toBe(false);
  });

  it('says why a deck cannot be opened and keeps nothing of it', async () => {
    const { presenter } = harness();
    await presenter.open(() => Promise.reject(new PlaygroundError('not_found', 'No deck there.')));
    expect(presenter.loaded).toBeNull();
    expect(presenter.loadError).toBe('No deck there.');
    expect(presenter.item).toBeUndefined();
  });

  it('reveals a recorded run one event at a time with → and hides it again with ←', async () => {
    const { presenter } = harness();
    await presenter.open(demo);
    press(presenter, 'n');
    const replay = () => presenter.replay;
    expect(presenter.index).toBe(1);
    expect(presenter.shown).toBe(0);
    expect(replay()?.status).toBe('idle');
    expect(replay()?.steps).toEqual([]);
    const total = presenter.eventCount;
    // Three steps: thought, code, observation each, then the final answer.
    expect(total).toBe(10);

    press(presenter, 'ArrowRight');
    expect(presenter.shown).toBe(1);
    expect(replay()?.steps.map((s) => s.step)).toEqual([1]);
    expect(replay()?.steps[0]?.code).toBeNull();
    press(presenter, 'ArrowRight');
    expect(replay()?.steps[0]?.code).toContain('web_search');
    expect(replay()?.busy).toBe(true);

    for (let i = 2; i < total; i++) press(presenter, 'PageDown');
    expect(presenter.shown).toBe(total);
    expect(replay()?.status).toBe('answered');
    expect(replay()?.answer).toBe('237 metres');
    expect(replay()?.busy).toBe(false);
    expect(replay()?.elapsedMs).toBe(presenter.run?.durationMs);

    press(presenter, 'ArrowLeft');
    expect(presenter.shown).toBe(total - 1);
    expect(replay()?.answer).toBeNull();
    // Fully revealed, → goes on to the next item; coming back with ← shows it whole.
    press(presenter, 'ArrowRight');
    press(presenter, 'ArrowRight');
    expect(presenter.index).toBe(2);
    press(presenter, 'ArrowLeft');
    expect(presenter.index).toBe(1);
    expect(presenter.shown).toBe(total);
    expect(replay()?.answer).toBe('237 metres');
  });

  it('plays a recorded run on its clock, and + keeps the point reached at the new speed', async () => {
    const { presenter } = harness();
    await presenter.open(demo);
    presenter.goTo(1, false);
    const timeline = presenter.timeline;
    if (!timeline) throw new Error('the recorded item has no timeline');
    press(presenter, ' ');
    expect(presenter.playing).toBe(true);
    // Half-way through the second event: the first is shown whole, the second streams.
    const second = timeline.events[1];
    if (!second) throw new Error('the timeline has one event');
    expect(presenter.advance(second.atMs + second.durationMs / 2)).toBe(true);
    expect(presenter.shown).toBe(2);
    const recordedMs = presenter.replay?.elapsedMs ?? 0;
    expect(recordedMs).toBeGreaterThan(0);

    press(presenter, '+');
    expect(presenter.speed).toBeGreaterThan(1.5);
    expect(presenter.timeline?.speed).toBe(presenter.speed);
    expect(presenter.replay?.elapsedMs).toBeCloseTo(recordedMs, 6);

    // Space pauses; the clock stands still.
    press(presenter, ' ');
    expect(presenter.advance(1000)).toBe(false);
    expect(presenter.replay?.elapsedMs).toBeCloseTo(recordedMs, 6);

    press(presenter, ' ');
    expect(presenter.advance(presenter.timeline?.totalMs ?? 0)).toBe(false);
    expect(presenter.playing).toBe(false);
    expect(presenter.shown).toBe(presenter.eventCount);
    expect(presenter.replay?.answer).toBe('237 metres');
    // Played to the end, Space starts again from the top.
    press(presenter, ' ');
    expect(presenter.playing).toBe(true);
    expect(presenter.shown).toBe(0);
  });

  it('asks a live question with the planned settings, and stops it when the talk moves on', async () => {
    const { presenter, engineRequests } = harness();
    await presenter.open(demo);
    press(presenter, ' ');
    await until(() => engineRequests.length === 1);
    const live = presenter.live;
    expect(live?.busy).toBe(true);
    expect(presenter.busy).toBe(true);
    expect(engineRequests[0]?.config).toEqual(presenter.plannedConfig.config);
    // Space again does not ask twice.
    press(presenter, ' ');
    expect(engineRequests).toHaveLength(1);

    press(presenter, 'N');
    expect(presenter.index).toBe(1);
    expect(engineRequests[0]?.signal.aborted).toBe(true);
    await until(() => live?.status === 'aborted');
    expect(presenter.busy).toBe(false);
  });

  it('moves through a live run step by step, and on only once it is over', async () => {
    const { presenter, stage } = harness();
    await presenter.open(demo);
    const live = presenter.live;
    if (!live) throw new Error('item 1 is a live question');
    // The run's own events, as the agent would report them, fold into the item's session.
    live.config = presenter.plannedConfig.config;
    const question = presenter.item?.type === 'question' ? presenter.item.question : '';
    live.apply({ type: 'run-started', runId: 'r1', question, mode: 'agent' });
    live.apply({ type: 'step-started', step: 1 });
    live.apply({ type: 'step-started', step: 2 });
    expect(live.status).toBe('running');
    stage.length = 0;

    press(presenter, 'ArrowRight');
    press(presenter, 'ArrowRight');
    expect(stage).toEqual(['showStep 0', 'showStep 1']);
    // Still running: → stays on the question.
    press(presenter, 'ArrowRight');
    expect(presenter.index).toBe(0);
    press(presenter, 'ArrowLeft');
    expect(stage.at(-1)).toBe('showStep 0');
    expect(presenter.index).toBe(0);
    press(presenter, 'ArrowRight');

    live.status = 'answered';
    press(presenter, 'ArrowRight');
    expect(presenter.index).toBe(1);
  });

  it('refuses a live question while a benchmark holds the model', async () => {
    let benchBusy = true;
    cleanup.push(registerRunner('bench', () => benchBusy));
    const { presenter, engineRequests } = harness();
    await presenter.open(demo);
    press(presenter, ' ');
    await presenter.runLive();
    expect(presenter.liveError).toBe('A run is going in bench; stop it or let it finish first.');
    expect(presenter.live?.status).toBe('idle');
    expect(engineRequests).toEqual([]);

    benchBusy = false;
    await until(() => {
      void presenter.runLive();
      return engineRequests.length === 1;
    });
    expect(presenter.liveError).toBeNull();
    presenter.stopAll();
  });

  it('registers its live runs so the other views see the model is taken', async () => {
    const { presenter, engineRequests } = harness();
    const unregister = registerRunner(
      'present',
      () => presenter.busy,
      () => presenter.stopAll(),
    );
    cleanup.push(unregister);
    await presenter.open(demo);
    expect(busyElsewhere('bench')).toBeNull();
    press(presenter, ' ');
    await until(() => engineRequests.length === 1);
    expect(busyElsewhere('bench')).toBe('present');
    expect(busyElsewhere('chat')).toBe('present');
    expect(busyElsewhere('present')).toBeNull();
    presenter.stopAll();
    await until(() => busyElsewhere('bench') === null);
  });

  it('says why a live question cannot run instead of starting it', async () => {
    const deck = parseDeck(
      JSON.stringify({
        format: 'small-agent-playground/deck',
        version: 1,
        title: 'bad model',
        items: [{ type: 'question', question: 'Hi?', mode: 'agent', model: 'no-such-model' }],
      }),
    );
    const { presenter, engineRequests } = harness();
    await presenter.open(() =>
      Promise.resolve({
        deck,
        items: deck.items.filter((i) => i.type !== 'saved-run'),
        source: 't',
      }),
    );
    expect(presenter.plannedConfig.error).toContain('"no-such-model"');
    await presenter.runLive();
    expect(presenter.liveError).toBe(presenter.plannedConfig.error);
    expect(engineRequests).toEqual([]);
  });

  it('maps the presenter keys, leaving typing keys and pressed controls alone', async () => {
    const { presenter, stage } = harness();
    await presenter.open(demo);
    stage.length = 0;
    expect(press(presenter, 'f')).toBe(true);
    expect(stage).toEqual(['toggleFullscreen']);
    // Escape leaves full screen only when in it.
    expect(press(presenter, 'Escape')).toBe(false);
    presenter.fullscreen = true;
    expect(press(presenter, 'Escape')).toBe(true);
    expect(stage.at(-1)).toBe('exitFullscreen');
    // Space on a focused button presses the button.
    expect(press(presenter, ' ', false, true)).toBe(false);
    expect(press(presenter, 'x')).toBe(false);
    expect(press(presenter, 'ArrowRight', true)).toBe(true);
    expect(presenter.index).toBe(1);
    expect(press(presenter, 'ArrowLeft', true)).toBe(true);
    expect(presenter.index).toBe(0);
    // Shift+← on the first item stays put.
    press(presenter, 'ArrowLeft', true);
    expect(presenter.index).toBe(0);
    const speed = presenter.speed;
    press(presenter, '-');
    expect(presenter.speed).toBeLessThan(speed);
  });
});
