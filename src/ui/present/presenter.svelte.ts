/**
 * The presenter: which deck item is up, how much of a recorded run is revealed and at what speed,
 * the live questions' runs, the preflight, and what each key does. PresentView only renders it;
 * what the store needs from the app and the page comes in through PresenterDeps and
 * PresenterStage, so tests drive it without the app around it.
 */
import { tick } from 'svelte';
import { visibleEvents, type ReplayTimeline, type ResolvedDeckItem } from './deck.ts';
import type { LoadedDeck } from './deck-source.ts';
import {
  deckPreflight,
  recordedFallback,
  type DeckEnvironment,
  type PreflightItem,
} from './deck-preflight.ts';
import { liveConfig } from './live-config.ts';
import { buildReplayTimeline, nextSpeed, replayFrame, replayRun } from './replay.ts';
import type { DeckQuestion } from './deck.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import type { ModelRegistry } from '../../engines/model-registry.ts';
import { PlaygroundError } from '../../errors.ts';
import type { LiveRun } from '../lib/live-run.ts';
import type { RunConfig } from '../lib/run-config.ts';
import { RunSession, type EngineProvider } from '../run-session.svelte.ts';

/** What the presenter takes from the app. */
export interface PresenterDeps {
  /** The settings a live question starts from (the chat's). */
  baseConfig(): RunConfig;
  registry: ModelRegistry;
  /** The view whose run holds the model, if another one does (sessions.svelte.ts). */
  busyElsewhere(): string | null;
  provideEngine: EngineProvider;
  environment(
    questions: readonly { item: DeckQuestion; index: number }[],
    base: RunConfig,
  ): Promise<DeckEnvironment>;
}

/** What the presenter asks of the page it is shown on. */
export interface PresenterStage {
  /** Brings step card `i` of the live run into view. */
  showStep(i: number): void;
  /** Back to the top of the item. */
  toTop(): void;
  /** Keys go to the presenter (after a deck opens). */
  focus(): void;
  toggleFullscreen(): void;
  exitFullscreen(): void;
}

/** A key as the presenter reads it; the view has already let typing and shortcuts through. */
export interface PresenterKey {
  key: string;
  shift: boolean;
  /** A focused button, link or summary: Space and Enter press it instead. */
  onControl: boolean;
}

export class Presenter {
  loaded = $state.raw<LoadedDeck | null>(null);
  loadError = $state<string | null>(null);
  loading = $state(false);
  index = $state(0);
  /** Mirrors the page's full screen state (the view listens for it). */
  fullscreen = $state(false);
  /** What each item needs and what is missing here; shown on opening a deck that lacks something. */
  preflight = $state.raw<PreflightItem[] | null>(null);
  showPreflight = $state(false);

  // Live questions: one session each, so going back to a question shows how it went.
  liveSessions = $state.raw<(RunSession | null)[]>([]);
  liveError = $state<string | null>(null);
  /** The live step card last brought into view with →; -1 before the first. */
  liveCursor = $state(-1);

  // Recorded runs: a clock over the deck timeline plus the number of events revealed.
  speed = $state(1);
  timeline = $state.raw<ReplayTimeline | null>(null);
  shown = $state(0);
  clock = $state(0);
  playing = $state(false);

  readonly items = $derived<ResolvedDeckItem[]>(this.loaded?.items ?? []);
  readonly item = $derived<ResolvedDeckItem | undefined>(this.items[this.index]);
  /** The recorded run up now, if the item is one. */
  readonly run = $derived<RunRecord | null>(this.item?.type === 'run' ? this.item.run : null);
  /** The live question's session, if the item is one. */
  readonly live = $derived(
    this.item?.type === 'question' ? (this.liveSessions[this.index] ?? null) : null,
  );
  readonly deckSpeed = $derived(this.loaded?.deck.replaySpeed ?? 1);
  readonly eventCount = $derived(this.timeline?.events.length ?? 0);
  /** The recorded run as far as it is revealed, in the shape RunView shows. */
  readonly replay = $derived.by((): LiveRun | null =>
    this.run && this.timeline
      ? replayRun(replayFrame(this.run, this.timeline, this.shown, this.clock))
      : null,
  );
  /** The settings the live question up now would run with, or why it cannot run. */
  readonly plannedConfig = $derived.by((): { config: RunConfig | null; error: string | null } => {
    const item = this.item;
    if (item?.type !== 'question') return { config: null, error: null };
    try {
      return { config: liveConfig(item, this.deps.baseConfig(), this.deps.registry), error: null };
    } catch (err) {
      return { config: null, error: PlaygroundError.from(err).message };
    }
  });
  /** The recorded run a live question can fall back to. */
  readonly fallback = $derived(
    this.item?.type === 'question' ? recordedFallback(this.items, this.index) : null,
  );

  private readonly deps: PresenterDeps;
  private readonly stage: PresenterStage;

  constructor(deps: PresenterDeps, stage: PresenterStage) {
    this.deps = deps;
    this.stage = stage;
  }

  /** A live question of the deck is running (it holds the model). */
  get busy(): boolean {
    return this.liveSessions.some((s) => s?.busy ?? false);
  }

  async open(get: () => Promise<LoadedDeck>): Promise<void> {
    this.loading = true;
    this.loadError = null;
    this.stopAll();
    try {
      const deck = await get();
      this.loaded = deck;
      this.liveSessions = deck.items.map((i) => (i.type === 'question' ? new RunSession() : null));
      this.speed = deck.deck.replaySpeed ?? 1;
      this.goTo(0, false);
      void this.checkDeck(true);
    } catch (err) {
      this.loaded = null;
      this.loadError = PlaygroundError.from(err).message;
    } finally {
      this.loading = false;
      await tick();
      this.stage.focus();
    }
  }

  /**
   * The preflight: checks the model, index and packages each live item needs. Opening a deck
   * shows it only when something is missing; asked for, it shows either way.
   */
  async checkDeck(onOpen: boolean): Promise<void> {
    const list = this.loaded?.items;
    if (!list) return;
    const questions = list.flatMap((it, i) =>
      it.type === 'question' ? [{ item: it, index: i }] : [],
    );
    const env = await this.deps.environment(questions, this.deps.baseConfig());
    // Another deck opened meanwhile: this answer is about the old one.
    if (this.loaded?.items !== list) return;
    this.preflight = deckPreflight(list, env);
    if (!onOpen || this.preflight.some((r) => !r.ready)) this.showPreflight = true;
  }

  togglePreflight(): void {
    if (this.showPreflight) this.showPreflight = false;
    else void this.checkDeck(false);
  }

  stopAll(): void {
    this.playing = false;
    for (const s of this.liveSessions) s?.stop();
  }

  /** Shows item `i`, from its start, or (coming back with ←) fully revealed. */
  goTo(i: number, revealed: boolean): void {
    if (i < 0 || i >= this.items.length) return;
    // A live run left behind is stopped: the model and Python are needed by the next one.
    if (i !== this.index) this.liveSessions[this.index]?.stop();
    this.playing = false;
    this.liveError = null;
    this.liveCursor = -1;
    this.index = i;
    const next = this.items[i];
    if (next?.type === 'run') {
      this.timeline = buildReplayTimeline(next.run, this.speed, { readable: true });
      this.shown = revealed ? this.timeline.events.length : 0;
      this.clock = revealed ? this.timeline.totalMs : 0;
    } else {
      this.timeline = null;
      this.shown = 0;
      this.clock = 0;
    }
    this.stage.toTop();
  }

  /** When revealed event `k` has finished streaming, on the timeline's clock. */
  private endOf(k: number): number {
    const e = this.timeline?.events[k];
    return e ? e.atMs + e.durationMs : 0;
  }

  /** →: the next reveal of a recorded run, the next step of a live one, else the next item. */
  stepForward(): void {
    const live = this.live;
    if (this.run && this.timeline) {
      // Caught mid-way while playing: → first shows the rest of what is streaming.
      if (this.shown > 0 && this.clock < this.endOf(this.shown - 1)) {
        this.playing = false;
        this.clock = this.endOf(this.shown - 1);
        return;
      }
      if (this.shown < this.eventCount) {
        this.playing = false;
        this.shown += 1;
        this.clock = this.endOf(this.shown - 1);
        return;
      }
    } else if (live) {
      if (this.liveCursor < live.steps.length - 1) {
        this.liveCursor += 1;
        this.stage.showStep(this.liveCursor);
        return;
      }
      // A question still being answered stays up.
      if (live.busy) return;
    }
    this.goTo(this.index + 1, false);
  }

  /** ←: hides the last reveal, goes up one live step, else back to the previous item, revealed. */
  stepBack(): void {
    if (this.run && this.timeline) {
      if (this.shown > 0) {
        this.playing = false;
        this.shown -= 1;
        this.clock = this.shown > 0 ? this.endOf(this.shown - 1) : 0;
        return;
      }
    } else if (this.live && this.liveCursor > 0) {
      this.liveCursor -= 1;
      this.stage.showStep(this.liveCursor);
      return;
    }
    this.goTo(this.index - 1, true);
  }

  /** Space: asks a live question not yet asked, or plays and pauses a recorded run. */
  togglePlay(): void {
    if (this.live && this.item?.type === 'question') {
      if (this.live.status === 'idle') void this.runLive();
      return;
    }
    const timeline = this.timeline;
    if (!timeline) return;
    if (this.playing) {
      this.playing = false;
      return;
    }
    if (this.shown >= this.eventCount && this.clock >= timeline.totalMs) {
      this.shown = 0;
      this.clock = 0;
    }
    this.playing = true;
  }

  /**
   * Moves the replay clock on by `ms` of real time (the timeline is already scaled by the speed)
   * and reveals what it has reached; false once it has played to the end.
   */
  advance(ms: number): boolean {
    const timeline = this.timeline;
    if (!this.playing || !timeline) return false;
    this.clock = Math.min(this.clock + ms, timeline.totalMs);
    this.shown = Math.max(this.shown, visibleEvents(timeline, this.clock));
    if (this.clock >= timeline.totalMs && this.shown >= timeline.events.length) {
      this.playing = false;
    }
    return this.playing;
  }

  changeSpeed(dir: 1 | -1): void {
    const s = nextSpeed(this.speed, this.deckSpeed, dir);
    if (s === this.speed) return;
    if (this.run && this.timeline) {
      // The same point of the run, on the new speed's clock.
      const next = buildReplayTimeline(this.run, s, { readable: true });
      this.clock = (this.clock * this.timeline.speed) / s;
      this.timeline = next;
    }
    this.speed = s;
  }

  /** Asks the live question up now, unless another view's run holds the model. */
  async runLive(): Promise<void> {
    const session = this.live;
    const item = this.item;
    if (!session || item?.type !== 'question' || session.busy) return;
    const elsewhere = this.deps.busyElsewhere();
    if (elsewhere) {
      this.liveError = `A run is going in ${elsewhere}; stop it or let it finish first.`;
      return;
    }
    const { config, error } = this.plannedConfig;
    if (!config) {
      this.liveError = error;
      return;
    }
    this.liveError = null;
    this.liveCursor = -1;
    await session.start(item.question, config, this.deps.provideEngine);
  }

  /** Does what `k` means to a presenter; false for a key it leaves alone. */
  key(k: PresenterKey): boolean {
    const act = (fn: () => void): true => {
      fn();
      return true;
    };
    const { key, shift } = k;
    if (key === 'ArrowRight' && shift) return act(() => this.goTo(this.index + 1, false));
    if (key === 'ArrowLeft' && shift) return act(() => this.goTo(this.index - 1, false));
    if (key === 'ArrowRight' || key === 'PageDown') return act(() => this.stepForward());
    if (key === 'ArrowLeft' || key === 'PageUp') return act(() => this.stepBack());
    if (key === ' ' && !k.onControl) return act(() => this.togglePlay());
    if (key === 'n' || key === 'N') return act(() => this.goTo(this.index + 1, false));
    if (key === 'p' || key === 'P') return act(() => this.goTo(this.index - 1, false));
    if (key === 'f' || key === 'F') return act(() => this.stage.toggleFullscreen());
    if (key === '+' || key === '=') return act(() => this.changeSpeed(1));
    if (key === '-' || key === '_') return act(() => this.changeSpeed(-1));
    if (key === 'Escape' && this.fullscreen) return act(() => this.stage.exitFullscreen());
    return false;
  }
}
