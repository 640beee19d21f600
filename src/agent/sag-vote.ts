/**
 * docs/protocol.md section 6: self-consistent action generation picks the action whose execution
 * outcome most candidates agree on.
 */
import type { ExecutionResult } from './ports.ts';
import type { VoteGroup } from './run-record.ts';

export interface VoteInput {
  /** null when the code could not be extracted (never valid). */
  execution: ExecutionResult | null;
}

export interface VoteOutcome {
  groups: VoteGroup[];
  /** Group index per candidate, null for invalid ones. */
  groupOf: (number | null)[];
  chosen: number;
}

export function isValidCandidate(c: VoteInput): boolean {
  return c.execution !== null && c.execution.status !== 'error';
}

/** Candidates agree when they printed the same and gave the same final answer (if any). */
export function outcomeKey(execution: ExecutionResult): string {
  const final =
    execution.status === 'final'
      ? `\u0000final_answer:${execution.finalAnswer?.text ?? execution.output}`
      : '';
  return execution.logs + final;
}

export function vote(candidates: readonly VoteInput[]): VoteOutcome {
  const groups: VoteGroup[] = [];
  const byKey = new Map<string, number>();
  const groupOf = candidates.map((c, index) => {
    if (!isValidCandidate(c) || c.execution === null) return null;
    const key = outcomeKey(c.execution);
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({ key, members: [] });
    }
    groups[g]?.members.push(index);
    return g;
  });
  if (groups.length === 0) return { groups, groupOf, chosen: 0 };
  // Largest group; ties go to the group that appeared first. All-singletons falls out of the
  // same rule as the first valid candidate.
  let best = 0;
  groups.forEach((g, i) => {
    if (g.members.length > (groups[best]?.members.length ?? 0)) best = i;
  });
  const chosen = groups[best]?.members[0] ?? 0;
  return { groups, groupOf, chosen };
}
