/** A saved run (one question or a whole conversation) as Markdown, for pasting into notes. */
import { thoughtText } from '../../agent/code-extraction.ts';
import { recordTurns, stepsOfTurn } from '../../agent/follow-up.ts';
import type { RunRecord, StepRecord } from '../../agent/run-record.ts';

/** A fence longer than any backtick run inside, so code with ``` in it stays one block. */
function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function thoughtOf(step: StepRecord): string {
  return thoughtText(step.modelOutput)
    .replace(/^Thought:\s*/, '')
    .trim();
}

export function runMarkdown(record: RunRecord): string {
  const s = record.settings;
  const out: string[] = [];
  const turns = recordTurns(record);
  out.push(
    `*${s.mode === 'cot' ? 'Chain of thought' : 'Agent'} · ${s.model} (${s.engine}) · prompt ${s.promptProfile} · ${new Date(record.startedAt).toISOString()}*`,
  );
  for (const [i, turn] of turns.entries()) {
    out.push(
      `## ${turns.length > 1 ? `${i === 0 ? 'Question' : `Follow-up ${i}`}: ` : ''}${turn.question}`,
    );
    if (s.mode === 'cot' && record.response !== undefined) out.push(record.response.trim());
    for (const step of stepsOfTurn(record, i)) {
      out.push(`### Step ${step.step}`);
      const thought = thoughtOf(step);
      if (thought) out.push(thought);
      if (step.code !== null) out.push(fenced(step.code, 'python'));
      out.push('Observation:', fenced(step.observation));
    }
    if (turn.answer !== null)
      out.push(`**Answer${turn.status === 'fallback' ? ' (fallback)' : ''}:** ${turn.answer}`);
    else if (turn.error) out.push(`*${turn.status}: ${turn.error.message}*`);
  }
  return out.join('\n\n') + '\n';
}
