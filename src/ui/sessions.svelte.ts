/**
 * The app's runs live here, not in the views: leaving a view keeps its run (and its result) for
 * when the user comes back, and only one run goes at a time, since the Python sandbox and the
 * loaded model are shared.
 */
import type { QuestionKind } from './lib/grade.ts';
import type { RunConfig } from './lib/run-config.ts';
import { RunSession, type EngineProvider } from './run-session.svelte.ts';

export const chatSession = new RunSession();

class CompareRun {
  readonly panes = [new RunSession(), new RunSession()] as const;
  running = $state(false);
  private stopped = false;

  /** One pane after the other: two in-browser models rarely fit in GPU memory together. */
  async run(question: string, configs: RunConfig[], provide: EngineProvider): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    for (const p of this.panes) p.reset();
    try {
      for (const [i, p] of this.panes.entries()) {
        const c = configs[i];
        if (this.stopped || !c) break;
        await p.start(question, c, provide);
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const p of this.panes) p.stop();
  }
}

export const compareRun = new CompareRun();

/**
 * Runs of views loaded on demand (the benchmark, a presentation's live questions) register here,
 * so this module, which the first screen needs, never imports them and their libraries. The
 * returned function takes the registration back (a view that holds its runs only while shown).
 */
const otherRunners: { route: string; busy: () => boolean; stop?: () => void }[] = [];
export function registerRunner(route: string, busy: () => boolean, stop?: () => void): () => void {
  const runner = { route, busy, ...(stop && { stop }) };
  otherRunners.push(runner);
  return () => {
    const i = otherRunners.indexOf(runner);
    if (i >= 0) otherRunners.splice(i, 1);
  };
}

/** Esc: stops whatever runs (there is one run at a time); false when nothing was running. */
export function stopRunning(): boolean {
  let stopped = false;
  if (chatSession.busy) {
    chatSession.stop();
    stopped = true;
  }
  if (compareRun.running) {
    compareRun.stop();
    stopped = true;
  }
  for (const r of otherRunners) {
    if (r.busy() && r.stop) {
      r.stop();
      stopped = true;
    }
  }
  return stopped;
}

/**
 * What else is running, to say so instead of starting a second run (one GPU model serves all).
 * Every view that starts runs asks here, so none can start one while another view's run holds
 * the model.
 */
export function busyElsewhere(here: 'chat' | 'compare' | 'present' | 'bench'): string | null {
  if (here !== 'chat' && chatSession.busy) return 'chat';
  if (here !== 'compare' && compareRun.running) return 'compare';
  return otherRunners.find((r) => r.route !== here && r.busy())?.route ?? null;
}

/** What the user typed and chose in each view, kept while they visit another one. */
export const drafts = {
  chat: { question: '', config: null as RunConfig | null },
  compare: {
    question: '',
    gold: '',
    kind: 'auto' as 'auto' | QuestionKind,
    configs: null as RunConfig[] | null,
  },
};
