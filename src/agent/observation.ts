/**
 * docs/protocol.md section 3: the user message that follows step k. Texts are the reference's
 * (smolagents 1.13 ActionStep.to_messages), byte for byte.
 */
import type { ExecutionResult } from './ports.ts';

export const RETRY_NUDGE =
  "\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n";

/** `call_k`: k is the step number in a single question, and goes on across follow-ups. */
export function callId(call: number): string {
  return `call_${call}`;
}

function errorBlock(call: number | null, message: string): string {
  return (call === null ? '' : `Call id: ${callId(call)}\n`) + 'Error:\n' + message + RETRY_NUDGE;
}

/** No code could be extracted: there is no tool call, so no Call id line. */
export function parseErrorObservation(parseError: string): string {
  return errorBlock(null, parseError);
}

/** The observation for an executed code action (success, final answer, or execution error). */
export function executionObservation(call: number, result: ExecutionResult): string {
  const id = callId(call);
  if (result.status === 'error') {
    const message = result.error?.message ?? 'Code execution failed for an unknown reason.';
    const printed =
      result.logs.length > 0 ? `Call id: ${id}\nObservation:\nExecution logs:\n${result.logs}` : '';
    return printed + errorBlock(call, message);
  }
  return `Call id: ${id}\nObservation:\nExecution logs:\n${result.logs}Last output from code snippet:\n${result.output}`;
}
