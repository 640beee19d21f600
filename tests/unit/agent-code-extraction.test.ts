import { describe, expect, it } from 'vitest';
import {
  codeBlobErrorText,
  extractCode,
  findCodeBlobs,
  fixFinalAnswerCode,
  parseErrorMessage,
} from '../../src/agent/code-extraction.ts';
import { pyDedent, pyStrip } from '../../src/agent/python-text.ts';

const neverParses = async (): Promise<boolean> => false;
const alwaysParses = async (): Promise<boolean> => true;

describe('code extraction (docs/protocol.md section 2)', () => {
  it('joins every fenced block, stripped, with a blank line', () => {
    const out =
      'Thought: a\nCode:\n```py\n  x = 1  \n```<end_code>\nmore\n```python\nprint(x)\n```\n```\ny = 2\n```';
    expect(findCodeBlobs(out)).toBe('x = 1\n\nprint(x)\n\ny = 2');
  });

  it('needs a newline after the opening fence and before the closing one', () => {
    expect(findCodeBlobs('```py x = 1```')).toBeNull();
    expect(findCodeBlobs('```js\nx = 1\n```')).toBeNull();
  });

  it('takes a fence-less output as code only when it parses', async () => {
    expect(await extractCode('x = 1', alwaysParses)).toEqual({ ok: true, code: 'x = 1' });
    const r = await extractCode('I think the answer is 4.', neverParses);
    expect(r.ok).toBe(false);
  });

  it('reproduces the reference parse error text for a one-line output', () => {
    expect(parseErrorMessage('Thought: no code here')).toBe(
      'Error in code parsing:\n' +
        'Your code snippet is invalid, because the regex pattern ```(?:py|python)?\\n(.*?)\\n``` was not found in it.\n' +
        'Here is your code snippet:\n' +
        'Thought: no code here\n' +
        'Make sure to include code with the correct pattern, for instance:\n' +
        'Thoughts: Your thoughts\n' +
        'Code:\n' +
        '```py\n' +
        '# Your python code here\n' +
        '```<end_code>\n' +
        'Make sure to provide correct code blobs.',
    );
  });

  it('points to final_answer when the output mentions final and answer', () => {
    expect(codeBlobErrorText('my final answer is 3')).toContain(
      'It seems like you\'re trying to return the final answer, you can do it as follows:\nCode:\n```py\nfinal_answer("YOUR FINAL ANSWER HERE")\n```<end_code>',
    );
    // Both words are needed, case-sensitively, as in the reference.
    expect(codeBlobErrorText('Final Answer: 3')).toContain('Thoughts: Your thoughts');
  });

  it('keeps the template indentation when a multi-line snippet defeats dedent (as the reference did)', () => {
    const text = codeBlobErrorText('line one\nline two');
    expect(text.startsWith('Your code snippet is invalid')).toBe(true);
    expect(text).toContain(
      '\n            Here is your code snippet:\n            line one\nline two\n            Make sure',
    );
  });
});

describe('fixFinalAnswerCode', () => {
  it('renames an assigned final_answer variable but not the calls', () => {
    expect(fixFinalAnswerCode('final_answer = 3\nfinal_answer(final_answer)')).toBe(
      'final_answer_variable = 3\nfinal_answer(final_answer_variable)',
    );
  });
  it('leaves code alone without both an assignment and a call', () => {
    expect(fixFinalAnswerCode('final_answer = 3')).toBe('final_answer = 3');
    expect(fixFinalAnswerCode('final_answer(3)')).toBe('final_answer(3)');
    expect(fixFinalAnswerCode('obj.final_answer = 3\nfinal_answer(obj)')).toBe(
      'obj.final_answer = 3\nfinal_answer(obj)',
    );
    expect(fixFinalAnswerCode('my_final_answer = 3\nfinal_answer(my_final_answer)')).toBe(
      'my_final_answer = 3\nfinal_answer(my_final_answer)',
    );
  });
});

describe('Python string semantics', () => {
  it('strip() removes Python whitespace, including characters JS trim keeps', () => {
    expect(pyStrip('\x1c\x1d hi \x85\n')).toBe('hi');
    expect(pyStrip('\uFEFFhi')).toBe('\uFEFFhi');
  });
  it('dedent() matches textwrap.dedent', () => {
    expect(pyDedent('    a\n      b\n    c')).toBe('a\n  b\nc');
    expect(pyDedent('  a\n\tb')).toBe('  a\n\tb');
    expect(pyDedent('    a\n   \n    b')).toBe('a\n\nb');
    expect(pyDedent('  \t a\n  \t b')).toBe('a\nb');
  });
});
