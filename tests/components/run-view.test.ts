/**
 * RunView shows whatever implements LiveRun: here plain values (a recorded run's replay frames),
 * not a RunSession, rendered by Svelte in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import demoDeck from '../../examples/demo-deck.json';
import RunView from '../../src/ui/components/RunView.svelte';
import type { RunRecord } from '../../src/agent/run-record.ts';
import { validateDeck } from '../../src/ui/present/deck.ts';
import { buildReplayTimeline, replayFrame, replayRun } from '../../src/ui/present/replay.ts';
import type { LiveRun } from '../../src/ui/lib/live-run.ts';

const recorded = validateDeck(demoDeck).items.find((i) => i.type === 'run');
if (recorded?.type !== 'run') throw new Error('the demo deck has no recorded run');
const run: RunRecord = recorded.run;
const timeline = buildReplayTimeline(run, 1, { readable: true });
const at = (shown: number): LiveRun => replayRun(replayFrame(run, timeline, shown));

describe('RunView', () => {
  it('shows a finished run from a plain LiveRun value: steps, answer and totals', async () => {
    const screen = await render(RunView, { session: at(timeline.events.length) });
    expect(screen.getByTestId('step').elements()).toHaveLength(run.steps.length);
    await expect.element(screen.getByTestId('final-answer')).toHaveTextContent('237 metres');
    const totals = screen.getByRole('contentinfo', { name: 'Run statistics' });
    await expect.element(totals).toHaveTextContent(`answered ${run.steps.length} steps`);
    await expect.element(screen.getByRole('button', { name: 'Copy as Markdown' })).toBeVisible();
  });

  it('shows a run part-way as running, without its answer or its export', async () => {
    const screen = await render(RunView, { session: at(2) });
    expect(screen.getByTestId('step').elements()).toHaveLength(1);
    expect(screen.getByTestId('final-answer').elements()).toEqual([]);
    const totals = screen.getByRole('contentinfo', { name: 'Run statistics' });
    await expect.element(totals).toHaveTextContent('running 1 step');
    expect(screen.getByRole('button', { name: 'Copy as Markdown' }).elements()).toEqual([]);
  });

  it('says why a run failed, and says nothing more of a run the user stopped', async () => {
    const failed: LiveRun = {
      ...at(0),
      status: 'error',
      error: {
        code: 'engine_unreachable',
        message: 'The server did not answer: start it and try again.',
      },
    };
    const screen = await render(RunView, { session: failed });
    await expect
      .element(screen.getByRole('alert'))
      .toHaveTextContent('The run failed The server did not answer: start it and try again.');
    await screen.rerender({ session: { ...failed, status: 'aborted' } });
    expect(screen.getByRole('alert').elements()).toEqual([]);
    await expect
      .element(screen.getByRole('contentinfo', { name: 'Run statistics' }))
      .toHaveTextContent('stopped');
  });
});
