/**
 * The paper's factual judge: `evaluate_factual_answer` of unified_framework/score_answers.py
 * (lines 48-97). One user message, byte for byte, answered as JSON {explanation, score} through a
 * structured-output schema (the reference's pydantic `ResponseFormat`, lines 20-22); score 1 is
 * correct. The model is the user's choice (the paper used gpt-4o-mini, line 33).
 */
import type { ChatEngine } from '../../agent/ports.ts';
import { PlaygroundError } from '../../errors.ts';
import type { JsonValue } from '../../json.ts';
import type { FactualJudge } from '../llm-judge.ts';

/** score_answers.py lines 60-71. (Its 1000-character cut assigns a misspelt name: it never applies.) */
export function paperJudgePrompt(question: string, predicted: string, gold: string): string {
  return `Compare the following predicted answer with the gold (correct) answer and determine if they match in meaning given the question.
Be reasonable - phrasing differences are okay if the core meaning is the same. You should accept the aliases and the answer conveying the same conclusion.
If the predicted answer is overly verbose and fails to capture the key information found in the gold answer (i.e., low recall), consider it a false answer.

Question: ${question}
Predicted answer: ${predicted}
Gold answer: ${gold}

Output your evaluation as a JSON object with two fields:
- explanation: Brief explanation of your scoring decision
- score: 0 or 1 indicating if answers match
`;
}

/** What openai-python's `beta.chat.completions.parse(response_format=ResponseFormat)` sends. */
export const PAPER_JUDGE_RESPONSE_FORMAT: JsonValue = {
  type: 'json_schema',
  json_schema: {
    name: 'ResponseFormat',
    schema: {
      properties: {
        explanation: { title: 'Explanation', type: 'string' },
        score: { title: 'Score', type: 'integer' },
      },
      required: ['explanation', 'score'],
      title: 'ResponseFormat',
      type: 'object',
      additionalProperties: false,
    },
    strict: true,
  },
};

export interface PaperVerdict {
  explanation: string;
  score: number;
}

/** The judge's JSON reply (a fenced block is tolerated for servers without structured output). */
export function parsePaperVerdict(reply: string): PaperVerdict {
  const text = reply.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PlaygroundError(
      'engine_bad_response',
      `The judge did not answer with JSON {explanation, score}: "${reply.slice(0, 200)}". Use a judge model and server that support structured output (response_format).`,
    );
  }
  const obj = parsed as { explanation?: unknown; score?: unknown };
  if (typeof obj !== 'object' || obj === null || typeof obj.score !== 'number') {
    throw new PlaygroundError(
      'engine_bad_response',
      `The judge's JSON has no numeric "score": "${reply.slice(0, 200)}".`,
    );
  }
  return {
    explanation: typeof obj.explanation === 'string' ? obj.explanation : '',
    score: obj.score,
  };
}

/** Python's f-string of the prediction: a missing answer is "None" there. */
function pythonText(prediction: string | null): string {
  return prediction ?? 'None';
}

export function createPaperJudge(engine: ChatEngine): FactualJudge {
  return async (question, prediction, golds, signal) => {
    // The reference's gold is the data set's single `answer` field: aliases are not shown.
    const response = await engine.chat({
      messages: [
        {
          role: 'user',
          content: paperJudgePrompt(question, pythonText(prediction), golds[0] ?? ''),
        },
      ],
      responseFormat: PAPER_JUDGE_RESPONSE_FORMAT,
      signal,
    });
    const reply = response.choices[0]?.text ?? '';
    const verdict = parsePaperVerdict(reply);
    return { correct: verdict.score === 1, reply };
  };
}
