/**
 * The SAG vote as the step card shows it, rendered by Svelte in Chromium: groups with their
 * counts, the winner marked, invalid candidates apart, candidates numbered from 1.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import CandidateVote from '../../src/ui/components/CandidateVote.svelte';
import type { Candidate, VoteGroup } from '../../src/agent/run-record.ts';
import type { ExecutionResult } from '../../src/agent/ports.ts';

function ran(logs: string, answer?: string): ExecutionResult {
  return {
    status: answer === undefined ? 'ok' : 'final',
    logs,
    output: answer ?? 'None',
    ...(answer !== undefined && { finalAnswer: { text: answer, type: 'str' } }),
    stateLost: false,
    toolCalls: [],
    durationMs: 2,
  };
}

function candidate(
  index: number,
  group: number | null,
  execution: ExecutionResult | null,
): Candidate {
  return {
    index,
    output: `Thought: candidate ${index} thinks.\nCode:\n\`\`\`py\nprint(${index})\n\`\`\``,
    code: execution ? `print(${index})` : null,
    parseError: execution ? null : 'Your code snippet is invalid.',
    execution,
    valid: execution !== null,
    group,
  };
}

// Five samples: 0, 2 and 3 agree on Paris, 1 says Lyon, 4 did not parse.
const candidates = [
  candidate(0, 0, ran('', 'Paris')),
  candidate(1, 1, ran('', 'Lyon')),
  candidate(2, 0, ran('', 'Paris')),
  candidate(3, 0, ran('', 'Paris')),
  candidate(4, null, null),
];
const groups: VoteGroup[] = [
  { key: 'final:Paris', members: [0, 2, 3] },
  { key: 'final:Lyon', members: [1] },
];

describe('the vote display', () => {
  it('shows each group with its count and marks the winner', async () => {
    const screen = await render(CandidateVote, { candidates, groups, chosen: 2, total: 5 });
    await expect
      .element(screen.getByRole('heading'))
      .toHaveTextContent('Vote over 5/5 candidates · chose candidate 3');
    const rows = screen.getByRole('listitem').filter({ hasText: '×' });
    expect(rows.elements().map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      '3× #1: final_answer(Paris) chosen candidates 1, 3, 4',
      '1× #2: final_answer(Lyon) candidate 2',
      '1× invalid (parse or execution error) candidate 5',
    ]);
    expect(rows.nth(0).element().classList.contains('win')).toBe(true);
    expect(rows.nth(1).element().classList.contains('win')).toBe(false);
    expect(rows.nth(2).element().classList.contains('bad')).toBe(true);
  });

  it('numbers candidates from 1 and opens one to show its output and error', async () => {
    const screen = await render(CandidateVote, { candidates, groups, chosen: 2, total: 5 });
    await screen.getByText('All candidates').click();
    const buttons = screen.getByRole('button', { name: /^Candidate/ });
    expect(buttons.elements().map((b) => b.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Candidate 1 group #1',
      'Candidate 2 group #2',
      'Candidate 3 chosen group #1',
      'Candidate 4 group #1',
      'Candidate 5 invalid',
    ]);
    const last = screen.getByRole('button', { name: 'Candidate 5' });
    await expect.element(last).toHaveAttribute('aria-expanded', 'false');
    await last.click();
    await expect.element(last).toHaveAttribute('aria-expanded', 'true');
    await expect.element(screen.getByText('Your code snippet is invalid.')).toBeVisible();
    await expect.element(screen.getByText(/candidate 4 thinks/)).toBeVisible();
  });

  it('says nothing was chosen while the vote is still open', async () => {
    const screen = await render(CandidateVote, {
      candidates: candidates.slice(0, 2),
      groups: [],
      chosen: null,
      total: 5,
    });
    await expect.element(screen.getByRole('heading')).toHaveTextContent('Vote over 2/5 candidates');
    expect(screen.getByText('chose candidate').elements()).toEqual([]);
  });
});
