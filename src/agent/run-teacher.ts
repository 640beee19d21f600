/**
 * PROTOCOL section 7: one teacher trajectory as the reference generated them. With the
 * first-thought prefix, the teacher first answers by chain of thought (processors/reasoning.py,
 * greedy), the prefix is cut from that response (first_thought_prefix/build_prefix_memory.py),
 * and the agent run continues it in step 1 (agents.py register_prefix).
 */
import { firstThoughtPrefix } from './answer-extraction.ts';
import { runAgent, type AgentRunOptions } from './run-agent.ts';
import { runCot } from './run-cot.ts';
import type { RunRecord } from './run-record.ts';

export interface TeacherRunOptions extends Omit<AgentRunOptions, 'firstThoughtPrefix'> {
  /** Seed step 1 with the first paragraph of the teacher's own CoT answer. */
  useFirstThoughtPrefix: boolean;
  /** How the CoT answer is read (math: the reference's boxed extraction). */
  kind?: 'math' | 'factual' | 'auto';
}

export interface TeacherRun {
  /** The CoT run the prefix came from; null without the prefix. */
  cot: RunRecord | null;
  prefix: string | null;
  /** The agent run; null when the CoT call failed (cot.error says why). */
  run: RunRecord | null;
}

export async function runTeacher(options: TeacherRunOptions): Promise<TeacherRun> {
  const { useFirstThoughtPrefix, kind, ...agent } = options;
  if (!useFirstThoughtPrefix) return { cot: null, prefix: null, run: await runAgent(agent) };
  const cot = await runCot({
    question: agent.question,
    engine: agent.engine,
    profile: agent.profile,
    kind,
    seed: agent.seed,
    signal: agent.signal,
    onEvent: agent.onEvent,
    purpose: 'first-thought',
  });
  if (cot.error || cot.response === undefined) return { cot, prefix: null, run: null };
  const prefix = firstThoughtPrefix(cot.response);
  return { cot, prefix, run: await runAgent({ ...agent, firstThoughtPrefix: prefix }) };
}
