import { describe, expect, it } from 'vitest';
import {
  fallbackMessages,
  mergeConsecutive,
  storedAssistantOutput,
  withEndCode,
  taskMessage,
} from '../../src/agent/conversation.ts';
import { executionObservation, parseErrorObservation } from '../../src/agent/observation.ts';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import type { ExecutionResult } from '../../src/agent/ports.ts';

const distilled = getPromptProfile('distilled');
const result = (over: Partial<ExecutionResult>): ExecutionResult => ({
  status: 'ok',
  logs: '',
  output: 'None',
  stateLost: false,
  toolCalls: [],
  durationMs: 1,
  ...over,
});

describe('conversation layout (docs/protocol.md section 1)', () => {
  it('builds the task message with the suffix, real newlines and single backslashes', () => {
    const m = taskMessage('What is 2+2?', distilled);
    expect(m.startsWith('New task:\nWhat is 2+2?\n\nIMPORTANT: Always provide')).toBe(true);
    expect(m).toContain("a 'Code:\n```py' sequence ending with '```<end_code>' sequence");
    expect(m).toContain('(e.g., \\boxed{\\frac{9}{14}})');
  });

  it('stores assistant turns stripped, restoring <end_code> after a closing fence', () => {
    // As agents.py does it: <end_code> goes after the trailing whitespace, then the turn is
    // stripped (memory.py ActionStep.to_messages).
    expect(storedAssistantOutput('  Thought: x\nCode:\n```py\n1\n```\n\n')).toBe(
      'Thought: x\nCode:\n```py\n1\n```\n\n<end_code>',
    );
    expect(storedAssistantOutput('Thought: x\nCode:\n```py\n1\n```')).toBe(
      'Thought: x\nCode:\n```py\n1\n```<end_code>',
    );
    expect(withEndCode('Code:\n```py x```  ')).toBe('Code:\n```py x```  <end_code>');
    expect(storedAssistantOutput('Thought: only text ')).toBe('Thought: only text');
  });

  it('merges consecutive same-role messages with no separator', () => {
    expect(
      mergeConsecutive([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
      ]),
    ).toEqual([
      { role: 'user', content: 'ab' },
      { role: 'assistant', content: 'c' },
    ]);
  });

  it('lays out the max-steps fallback call', () => {
    const conv = [
      { role: 'system' as const, content: 'SYS' },
      { role: 'user' as const, content: taskMessage('Q?', distilled) },
      { role: 'assistant' as const, content: 'A1' },
      {
        role: 'user' as const,
        content:
          'Call id: call_1\nObservation:\nExecution logs:\nLast output from code snippet:\nNone',
      },
    ];
    const merged = mergeConsecutive(fallbackMessages(conv, 'Q?', distilled));
    expect(merged[0]).toEqual({ role: 'system', content: distilled.fallbackSystem });
    expect(merged).toHaveLength(4);
    expect(merged[3]?.content).toBe(
      'Call id: call_1\nObservation:\nExecution logs:\nLast output from code snippet:\nNoneBased on the above, please provide an answer to the following user task:\nQ?',
    );
  });

  it('puts a question containing "$&" into the fallback prompt literally', () => {
    const msgs = fallbackMessages([{ role: 'system', content: 'S' }], 'cost $& more', distilled);
    expect(msgs.at(-1)?.content.endsWith('\ncost $& more')).toBe(true);
  });
});

describe('observations (docs/protocol.md section 3)', () => {
  it('formats a success', () => {
    expect(executionObservation(2, result({ logs: '4\n', output: 'None' }))).toBe(
      'Call id: call_2\nObservation:\nExecution logs:\n4\nLast output from code snippet:\nNone',
    );
  });
  it('formats an execution error without printed output', () => {
    const r = result({
      status: 'error',
      error: {
        kind: 'runtime',
        type: 'ZeroDivisionError',
        message:
          "Code execution failed at line 'x = 1/0' due to: ZeroDivisionError: division by zero",
      },
    });
    expect(executionObservation(1, r)).toBe(
      "Call id: call_1\nError:\nCode execution failed at line 'x = 1/0' due to: ZeroDivisionError: division by zero\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n",
    );
  });
  it('formats an execution error after printed output', () => {
    const r = result({
      status: 'error',
      logs: 'hi\n',
      error: { kind: 'runtime', type: 'E', message: 'M' },
    });
    expect(executionObservation(3, r)).toBe(
      "Call id: call_3\nObservation:\nExecution logs:\nhi\nCall id: call_3\nError:\nM\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n",
    );
  });
  it('formats a parse error with no Call id', () => {
    expect(parseErrorObservation('P')).toBe(
      "Error:\nP\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n",
    );
  });
});
