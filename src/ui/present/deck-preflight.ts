/**
 * Before a talk: what each deck item needs (a model ready, the search index, Python's packages),
 * which of those are missing here, and which recorded run of the same question a live item can
 * fall back to. The checks themselves come from the caller (the app knows its model and files).
 */
import type { DeckQuestion, ResolvedDeckItem } from './deck.ts';

export type NeedState = 'ok' | 'missing' | 'unknown';

export interface NeedCheck {
  state: NeedState;
  /** What was found, or what to do about it. */
  detail: string;
}

export interface Need extends NeedCheck {
  kind: 'model' | 'index' | 'python';
  label: string;
}

export interface DeckEnvironment {
  /** Whether the model a live question would run on is ready. */
  model(item: DeckQuestion, index: number): NeedCheck;
  index: NeedCheck;
  python: NeedCheck;
}

export interface PreflightItem {
  index: number;
  title: string;
  question: string;
  live: boolean;
  needs: Need[];
  /** A recorded run of the same question in the deck, to show if the live run cannot go. */
  fallback: number | null;
  /** Every need met (recorded runs need nothing: they replay without a model or Python). */
  ready: boolean;
}

function same(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) === norm(b);
}

/** The recorded run of the same question (same mode first), or null. */
export function recordedFallback(items: readonly ResolvedDeckItem[], index: number): number | null {
  const item = items[index];
  if (item?.type !== 'question') return null;
  const candidates = items
    .map((it, i) => ({ it, i }))
    .filter(({ it }) => it.type === 'run' && same(it.run.question, item.question));
  const sameMode = candidates.find(
    ({ it }) => it.type === 'run' && it.run.settings.mode === item.mode,
  );
  return (sameMode ?? candidates[0])?.i ?? null;
}

export function deckPreflight(
  items: readonly ResolvedDeckItem[],
  env: DeckEnvironment,
): PreflightItem[] {
  return items.map((item, index) => {
    if (item.type === 'run') {
      return {
        index,
        title: item.title ?? '',
        question: item.run.question,
        live: false,
        needs: [],
        fallback: null,
        ready: true,
      };
    }
    const needs: Need[] = [{ kind: 'model', label: 'a model ready', ...env.model(item, index) }];
    if (item.mode === 'agent') {
      needs.push(
        { kind: 'index', label: 'the Wikipedia index (web_search)', ...env.index },
        { kind: 'python', label: 'Python packages (numpy, sympy)', ...env.python },
      );
    }
    return {
      index,
      title: item.title ?? '',
      question: item.question,
      live: true,
      needs,
      fallback: recordedFallback(items, index),
      ready: needs.every((n) => n.state === 'ok'),
    };
  });
}
