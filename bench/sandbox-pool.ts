/**
 * Lends started sandboxes to the eval runner and takes them back on dispose, so benchmark passes
 * reuse warm interpreters instead of paying a cold start per question.
 */
import type { PythonSandbox } from '../src/agent/ports.ts';

export function lendFromPool(pool: PythonSandbox[]): () => Promise<PythonSandbox> {
  return async () => {
    const s = pool.pop();
    if (!s) throw new Error('pool empty');
    return {
      start: () => s.start(),
      reset: () => s.reset(),
      checkSyntax: (code) => s.checkSyntax(code),
      execute: (code, options) => s.execute(code, options),
      executeCandidates: (codes, options) => s.executeCandidates(codes, options),
      adoptCandidate: (index) => s.adoptCandidate(index),
      dispose: async () => void pool.push(s),
    };
  };
}
