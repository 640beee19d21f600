/**
 * CPython standing in for Pyodide where only PythonSandbox.execute matters (the sympy hooks):
 * each program runs in a fresh `python3 -c`, as the hooks never rely on state between calls.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { ExecutionResult, PythonSandbox } from '../../src/agent/ports.ts';

export const cpythonHasSympy =
  spawnSync('python3', ['-c', 'import sympy'], { stdio: 'ignore' }).status === 0;

export function cpythonSandbox(): PythonSandbox & { programs: string[] } {
  const programs: string[] = [];
  const result = (logs: string, status: ExecutionResult['status']): ExecutionResult => ({
    status,
    logs,
    output: '',
    stateLost: false,
    toolCalls: [],
    durationMs: 0,
  });
  return {
    programs,
    start: async () => undefined,
    reset: async () => undefined,
    checkSyntax: async () => true,
    execute: async (code) => {
      programs.push(code);
      // A program of imports alone (the hooks' warm-up) has no effect on a fresh process.
      if (/^(?:(?:import|from) [^\n]+\n?)+$/.test(code)) return result('', 'ok');
      try {
        return result(
          execFileSync('python3', ['-c', code], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
          'ok',
        );
      } catch {
        return result('', 'error');
      }
    },
    executeCandidates: async () => [],
    adoptCandidate: async () => undefined,
    dispose: async () => undefined,
  };
}
