/**
 * sympy for the graders of `grade` and `report`, in a Python sandbox started only when a rule
 * first needs it: most answers are decided by the string and number rules, and a cold Pyodide
 * costs seconds.
 */
import type { SymbolicEqual } from '../eval/math-grader.ts';
import { createPaperSympyEqual, createSympyEqual } from '../eval/sympy-equal.ts';
import type { GraderId } from '../eval/types.ts';
import { createNodeSandbox } from '../python/node-sandbox.ts';
import type { PythonSandbox } from '../agent/ports.ts';

export interface LazySympy {
  symbolicEqual: SymbolicEqual;
  dispose(): Promise<void>;
}

export function lazySympy(grader: GraderId, pythonPackagesDir: string | undefined): LazySympy {
  let sandbox: PythonSandbox | null = null;
  let hook: Promise<SymbolicEqual> | null = null;
  const ready = (): Promise<SymbolicEqual> => {
    hook ??= (async () => {
      sandbox = createNodeSandbox(pythonPackagesDir ? { pythonPackagesDir } : {});
      await sandbox.start();
      return (grader === 'paper' ? createPaperSympyEqual : createSympyEqual)(sandbox);
    })();
    return hook;
  };
  return {
    symbolicEqual: async (a, b) => (await ready())(a, b),
    dispose: async () => {
      await sandbox?.dispose();
    },
  };
}

/** `--sympy` / `--no-sympy` given, else on for the paper grader (its rules end in sympy). */
export function wantSympy(flag: boolean | undefined, grader: GraderId): boolean {
  return flag ?? grader === 'paper';
}
