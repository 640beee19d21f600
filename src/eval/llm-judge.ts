/**
 * The paper's factual judge (PROTOCOL section 10): an LLM asked whether the predicted and gold
 * answers match in meaning, accepting aliases. Any OpenAI-compatible endpoint through ChatEngine.
 */
import type { ChatEngine } from '../agent/ports.ts';
import { PlaygroundError } from '../errors.ts';

export const JUDGE_SYSTEM =
  'You are a strict but fair grader of question answering. You compare a predicted answer with the gold answer of a question.';

export function judgePrompt(
  question: string,
  prediction: string,
  golds: readonly string[],
): string {
  const [gold, ...aliases] = golds;
  return [
    `Question: ${question}`,
    `Gold answer: ${gold ?? ''}`,
    aliases.length ? `Also accepted (aliases): ${aliases.join(' | ')}` : null,
    `Predicted answer: ${prediction}`,
    '',
    'Do the predicted answer and the gold answer match in meaning? Accept aliases, abbreviations, different formatting and extra detail that does not contradict the gold answer; a prediction that names something else, hedges between options, or misses the asked-for part does not match.',
    'Reply with one word: yes or no.',
  ]
    .filter((l) => l !== null)
    .join('\n');
}

/** yes / no from a judge's reply, tolerating reasoning, markdown and chatter; null if neither. */
export function parseVerdict(reply: string): boolean | null {
  const text = reply
    .replace(/<think>[\s\S]*?<\/think>/gi, ' ')
    .replace(/[*_`#>]/g, ' ')
    .toLowerCase()
    .trim();
  const labelled =
    /\b(?:verdict|answer|judgement|judgment|final answer)\s*[:=-]\s*(yes|no|correct|incorrect|true|false)\b/.exec(
      text,
    );
  const word = labelled?.[1] ?? /^\W*(yes|no|correct|incorrect|true|false)\b/.exec(text)?.[1];
  const fallback = [...text.matchAll(/\b(yes|no|correct|incorrect)\b/g)].pop()?.[1];
  const verdict = word ?? fallback;
  if (verdict === undefined) return null;
  return verdict === 'yes' || verdict === 'correct' || verdict === 'true';
}

export interface JudgeVerdict {
  correct: boolean;
  reply: string;
}

/** A missing answer reaches the judge as null (the paper's judge reads it as Python's "None"). */
export type FactualJudge = (
  question: string,
  prediction: string | null,
  golds: readonly string[],
  signal?: AbortSignal,
) => Promise<JudgeVerdict>;

export function createLlmJudge(
  engine: ChatEngine,
  options: { maxTokens?: number } = {},
): FactualJudge {
  return async (question, prediction, golds, signal) => {
    const response = await engine.chat({
      messages: [
        { role: 'system', content: JUDGE_SYSTEM },
        { role: 'user', content: judgePrompt(question, prediction ?? '', golds) },
      ],
      temperature: 0,
      maxTokens: options.maxTokens ?? 256,
      signal,
    });
    const reply = response.choices[0]?.text ?? '';
    const correct = parseVerdict(reply);
    if (correct === null) {
      throw new PlaygroundError(
        'engine_bad_response',
        `The judge gave no yes/no verdict: "${reply.slice(0, 200)}"`,
      );
    }
    return { correct, reply };
  };
}
