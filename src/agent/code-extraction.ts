/**
 * docs/protocol.md section 2: getting the code action out of a model output, with the reference
 * implementation's (smolagents 1.13) error texts byte for byte.
 */
import { pyDedent, pyStrip } from './python-text.ts';

/** The regex as the reference prints it in its error message (a Python raw string). */
export const CODE_BLOB_PATTERN_TEXT = '```(?:py|python)?\\n(.*?)\\n```';
const CODE_BLOB_PATTERN = /```(?:py|python)?\n(.*?)\n```/gs;

/** Where a code fence opens: what comes before the first one is the model's thought. */
const CODE_FENCE_OPEN = /```(?:py|python)?\n/;

/** The output before its first code fence (all of it when there is none): the thought. */
export function thoughtText(output: string): string {
  return output.split(CODE_FENCE_OPEN)[0] ?? output;
}

export type Extraction = { ok: true; code: string } | { ok: false; error: string };

/** All fenced code blocks, stripped and joined by a blank line; null when there is none. */
export function findCodeBlobs(text: string): string | null {
  const matches = [...text.matchAll(CODE_BLOB_PATTERN)].map((m) => pyStrip(m[1] ?? ''));
  return matches.length > 0 ? matches.join('\n\n') : null;
}

/**
 * The ValueError text of the reference's parse_code_blobs. The snippet is interpolated before
 * dedent runs, so a multi-line snippet keeps the template's indentation: that is what the
 * checkpoints saw in training, so it is reproduced, not tidied.
 */
export function codeBlobErrorText(text: string): string {
  if (text.includes('final') && text.includes('answer')) {
    return pyStrip(
      pyDedent(`
                Your code snippet is invalid, because the regex pattern ${CODE_BLOB_PATTERN_TEXT} was not found in it.
                Here is your code snippet:
                ${text}
                It seems like you're trying to return the final answer, you can do it as follows:
                Code:
                \`\`\`py
                final_answer("YOUR FINAL ANSWER HERE")
                \`\`\`<end_code>
                `),
    );
  }
  return pyStrip(
    pyDedent(`
            Your code snippet is invalid, because the regex pattern ${CODE_BLOB_PATTERN_TEXT} was not found in it.
            Here is your code snippet:
            ${text}
            Make sure to include code with the correct pattern, for instance:
            Thoughts: Your thoughts
            Code:
            \`\`\`py
            # Your python code here
            \`\`\`<end_code>
            `),
  );
}

/** The text after "Error:\n" in a parse-error observation. */
export function parseErrorMessage(modelOutput: string): string {
  return `Error in code parsing:\n${codeBlobErrorText(modelOutput)}\nMake sure to provide correct code blobs.`;
}

const ASSIGNMENT_TEST = /(?<![.])(?<![\p{L}\p{N}_])\bfinal_answer\s*=/u;
const ASSIGNMENT = /(?<![.])(?<![\p{L}\p{N}_])(\bfinal_answer)(\s*=)/gu;
const VARIABLE_USE = /(?<![.])(?<![\p{L}\p{N}_])(\bfinal_answer\b)(?!\s*\()/gu;

/**
 * When code both calls final_answer( and assigns to a variable of that name, renames the
 * variable to final_answer_variable so the tool stays callable (reference: fix_final_answer_code).
 */
export function fixFinalAnswerCode(code: string): string {
  if (!code.includes('final_answer(') || !ASSIGNMENT_TEST.test(code)) return code;
  return code
    .replace(ASSIGNMENT, 'final_answer_variable$2')
    .replace(VARIABLE_USE, 'final_answer_variable');
}

/**
 * Extracts the code action. `parses` tells whether a fence-less output is valid Python (the
 * sandbox answers that; the core has no Python parser).
 */
export async function extractCode(
  modelOutput: string,
  parses: (code: string) => Promise<boolean>,
): Promise<Extraction> {
  const blobs = findCodeBlobs(modelOutput);
  if (blobs !== null) return { ok: true, code: fixFinalAnswerCode(blobs) };
  if (await parses(modelOutput)) return { ok: true, code: fixFinalAnswerCode(modelOutput) };
  return { ok: false, error: parseErrorMessage(modelOutput) };
}
