/**
 * Presentation decks: an ordered list of live questions and recorded runs (inline, or by the id
 * of a run saved in this browser), plus the replay timeline that shows a recorded run step by
 * step at a chosen speed without a model, a GPU or Python.
 */
import { PlaygroundError } from '../../errors.ts';
import { runRecordCheck } from '../../records/run-file.ts';
import type { AgentMode, RunRecord, RunSettings } from '../../agent/run-record.ts';
import {
  ShapeError,
  arrayOf,
  literal,
  nonEmptyString,
  numberFrom,
  object,
  oneOf,
  string,
  tagged,
  that,
  validate,
} from '../../json-shape.ts';
import { settingCheck } from '../../agent/settings.ts';

export const DECK_FORMAT = 'small-agent-playground/deck';
export const DECK_VERSION = 1;
export const MIN_REPLAY_SPEED = 0.1;
export const MAX_REPLAY_SPEED = 100;

/** What a live question may fix; the rest comes from the app's current settings. */
export type DeckSettings = Partial<
  Pick<
    RunSettings,
    | 'promptProfile'
    | 'maxSteps'
    | 'samples'
    | 'temperature'
    | 'topP'
    | 'maxTokens'
    | 'pythonTimeoutMs'
    | 'seed'
  >
>;

export interface DeckQuestion {
  type: 'question';
  question: string;
  mode: AgentMode;
  /** A model id of the registry; default the one loaded. */
  model?: string;
  settings?: DeckSettings;
  title?: string;
}

export interface DeckRun {
  type: 'run';
  run: RunRecord;
  title?: string;
}

/** A run saved in this browser's history, by id (decks made on the machine that presents). */
export interface DeckSavedRun {
  type: 'saved-run';
  id: string;
  title?: string;
}

export type DeckItem = DeckQuestion | DeckRun | DeckSavedRun;

export interface Deck {
  format: typeof DECK_FORMAT;
  version: typeof DECK_VERSION;
  title: string;
  /** Replay speed of recorded runs: 1 = as recorded, 2 = twice as fast. Default 1. */
  replaySpeed?: number;
  items: DeckItem[];
}

/** An unknown field is refused as "is not a deck field". */
const DECK_FIELDS = { format: 'deck' };

/** Each numeric deck setting: the table entry it is checked against, in its unit (ms). */
const settings = object<DeckSettings>(
  {
    'promptProfile?': that((v) => typeof v === 'string' && v !== '', 'a profile name'),
    'maxSteps?': settingCheck('maxSteps'),
    'samples?': settingCheck('samples'),
    'temperature?': settingCheck('temperature'),
    'topP?': settingCheck('topP'),
    'maxTokens?': settingCheck('maxTokens'),
    'pythonTimeoutMs?': settingCheck('pythonTimeoutS', 1000),
    'seed?': settingCheck('seed'),
  },
  DECK_FIELDS,
);

const title = nonEmptyString;

const item = tagged('type', {
  question: object<DeckQuestion>(
    {
      type: literal('question'),
      question: nonEmptyString,
      mode: oneOf('agent', 'cot'),
      'model?': nonEmptyString,
      'settings?': settings,
      'title?': title,
    },
    DECK_FIELDS,
  ),
  run: object<DeckRun>({ type: literal('run'), run: runRecordCheck, 'title?': title }, DECK_FIELDS),
  'saved-run': object<DeckSavedRun>(
    {
      type: literal('saved-run'),
      id: that((v) => typeof v === 'string' && v !== '', 'a saved run id'),
      'title?': title,
    },
    DECK_FIELDS,
  ),
});

const deck = object<Deck>(
  {
    format: literal(DECK_FORMAT),
    version: literal(DECK_VERSION),
    title: string,
    'replaySpeed?': numberFrom(MIN_REPLAY_SPEED, MAX_REPLAY_SPEED),
    items: arrayOf(item, { nonEmpty: true }),
  },
  DECK_FIELDS,
);

/** Checks a parsed deck; throws PlaygroundError 'data_invalid' naming the first thing wrong. */
export function validateDeck(value: unknown): Deck {
  try {
    return validate<Deck>(value, deck, 'deck');
  } catch (err) {
    if (err instanceof ShapeError)
      throw new PlaygroundError('data_invalid', `This deck cannot be opened: ${err.message}.`);
    throw err;
  }
}

export function parseDeck(text: string): Deck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PlaygroundError(
      'data_invalid',
      `This deck cannot be opened: it is not JSON (${(err as Error).message}).`,
    );
  }
  return validateDeck(value);
}

export type ResolvedDeckItem = DeckQuestion | DeckRun;

/**
 * Replaces saved-run references with the runs themselves; every id not found is named in one
 * error, so the presenter learns before the talk, not at slide 7.
 */
export async function resolveDeck(
  deck: Deck,
  getSavedRun: (id: string) => Promise<RunRecord | undefined>,
): Promise<ResolvedDeckItem[]> {
  const missing: string[] = [];
  const items: ResolvedDeckItem[] = [];
  for (const item of deck.items) {
    if (item.type !== 'saved-run') {
      items.push(item);
      continue;
    }
    const run = await getSavedRun(item.id);
    if (!run) missing.push(item.id);
    else items.push({ type: 'run', run, ...(item.title !== undefined && { title: item.title }) });
  }
  if (missing.length) {
    throw new PlaygroundError(
      'not_found',
      `This deck refers to ${missing.length} saved run(s) that are not in this browser's history: ${missing.join(', ')}. ` +
        'Import them (History, Import) or put the runs themselves in the deck as {"type": "run", "run": ...}.',
    );
  }
  return items;
}

// ---- replay timeline ----

export type TimelineKind = 'model-output' | 'code' | 'observation' | 'final-answer' | 'error';

export interface TimelineEvent {
  kind: TimelineKind;
  /** The agent step (1-based), or null for a CoT response, the final answer or an error. */
  step: number | null;
  text: string;
  /** When the event appears, from the start of the replay, at the chosen speed. */
  atMs: number;
  /** How long it took when recorded, at the chosen speed (text may be revealed over it). */
  durationMs: number;
}

export interface ReplayTimeline {
  speed: number;
  events: TimelineEvent[];
  totalMs: number;
}

/**
 * How long an audience needs to take in a reveal at speed 1: a fast server records steps of a few
 * milliseconds, which would flash past. About 25 characters a second (reading along, not every
 * word), never under 1.2 s and never over 6 s; a final answer is the last thing and stays.
 */
export function readingMs(kind: TimelineKind, text: string): number {
  if (kind === 'final-answer' || kind === 'error') return 0;
  const perChar = kind === 'code' ? 30 : 40;
  return Math.min(6000, Math.max(1200, 400 + text.length * perChar));
}

/**
 * Turns a recorded run into timed events: each step's model output over its generation time, its
 * code, then its observation over its execution time; then the final answer (or the error).
 * Times come from the record, so a slow model replays slowly; `speed` scales them. With
 * `readable`, every reveal stays at least its reading time (readingMs) before the next.
 */
export function buildReplayTimeline(
  run: RunRecord,
  speed = 1,
  options: { readable?: boolean } = {},
): ReplayTimeline {
  if (!(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED))
    throw new PlaygroundError(
      'bad_input',
      `The replay speed must be from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}, got ${speed}.`,
    );
  const events: TimelineEvent[] = [];
  let clock = 0;
  // Recorded clocks can be out of order (a step timestamp before the run's); never go backwards.
  // A reveal's own time (the text streams over it), then what is left of its reading time.
  let hold = 0;
  const push = (kind: TimelineKind, step: number | null, text: string, at: number, dur: number) => {
    clock = Math.max(clock + hold, at);
    const durationMs = Math.max(0, dur);
    events.push({ kind, step, text, atMs: clock, durationMs });
    clock += durationMs;
    hold = options.readable ? Math.max(0, readingMs(kind, text) - durationMs) : 0;
  };
  if (run.settings.mode === 'cot') {
    push('model-output', null, run.response ?? '', 0, run.durationMs);
  }
  for (const s of run.steps) {
    const recorded = s.startedAt > 0 && run.startedAt > 0 ? s.startedAt - run.startedAt : 0;
    // Reading holds push later steps back: keep the recorded gap, not the recorded instant.
    const start = Math.max(recorded, clock);
    push('model-output', s.step, s.modelOutput, start, s.generationMs);
    if (s.code !== null) push('code', s.step, s.code, clock, 0);
    push('observation', s.step, s.observation, clock, s.executionMs);
  }
  const end = run.finishedAt !== null ? run.finishedAt - run.startedAt : clock;
  if (run.answer !== null) push('final-answer', null, run.answer, end, 0);
  else if (run.error) push('error', null, run.error.message, end, 0);
  const scaled = events.map((e) => ({
    ...e,
    atMs: e.atMs / speed,
    durationMs: e.durationMs / speed,
  }));
  return { speed, events: scaled, totalMs: clock / speed };
}

/** How many events are visible `elapsedMs` into a replay (for play/pause over the timeline). */
export function visibleEvents(timeline: ReplayTimeline, elapsedMs: number): number {
  let n = 0;
  while (n < timeline.events.length && (timeline.events[n]?.atMs ?? Infinity) <= elapsedMs) n++;
  return n;
}
