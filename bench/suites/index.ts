import { searchSuite } from './search.ts';
import { pythonSandbox } from './python-sandbox.ts';
import { appLoad } from './app-load.ts';
import { evalHarness } from './eval-harness.ts';
import { evalPaperGrading } from './eval-paper-grading.ts';
/** A benchmark suite: prints nothing itself; returns the figures to print and store as JSON. */
export interface BenchSuite {
  name: string;
  description: string;
  run(): Promise<Record<string, unknown>>;
}

/** Add one line per suite file. */
export const suites: BenchSuite[] = [
  searchSuite,
  pythonSandbox,
  appLoad,
  evalHarness,
  evalPaperGrading,
];
