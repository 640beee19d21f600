import type { JsonValue } from '../../json.ts';
import type { ExecutionResult } from '../../agent/ports.ts';

export interface ShownPassage {
  title: string;
  text: string;
  score: number | null;
}

export interface SearchCall {
  query: string;
  passages: ShownPassage[];
}

/** The web_search calls of an execution, with the passages each returned (from ToolCallRecord.data). */
export function searchCalls(execution: ExecutionResult | null): SearchCall[] {
  if (!execution) return [];
  return execution.toolCalls
    .filter((t) => t.name === 'web_search')
    .map((t) => ({
      query: typeof t.args.query === 'string' ? t.args.query : JSON.stringify(t.args),
      passages: passagesOf(t.data),
    }));
}

function passagesOf(data: JsonValue | undefined): ShownPassage[] {
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray(data.passages)
      ? data.passages
      : [];
  const out: ShownPassage[] = [];
  for (const p of list) {
    if (!p || typeof p !== 'object' || Array.isArray(p)) continue;
    const title = typeof p.title === 'string' ? p.title : '';
    const text =
      typeof p.text === 'string' ? p.text : typeof p.contents === 'string' ? p.contents : '';
    out.push({ title, text, score: typeof p.score === 'number' ? p.score : null });
  }
  return out;
}
