import { nodeBundles } from '../../src/python/node-bundle.ts';
import { createNodeSandboxHost } from '../../src/python/node-sandbox.ts';
import type { WallMode } from '../../src/python/node-wall.ts';
import { percentile } from '../stats.ts';
import type { BenchSuite } from './index.ts';

const SNIPPETS = [
  'x = 1 + 1',
  'print("hello", 42)',
  'sum(range(100))',
  'values = [i * i for i in range(20)]\nvalues[-1]',
  'import math\nmath.sqrt(2)',
  'd = {"a": 1}\nd["b"] = 2\nlen(d)',
  'def f(n):\n    return n * 2\nf(21)',
  's = "abc".upper()\nprint(s)',
];

/** Compound statements, whose value the executor reports the reference's way (parity.py). */
const COMPOUND = [
  'total = 0\nfor i in range(10):\n    total += i',
  'x = 3\nif x > 2:\n    y = x * 10\nelse:\n    y = 0',
  'def g(a, b=2):\n    return a * b\ng(4)',
  'n = 0\nwhile n < 5:\n    n += 1',
  'try:\n    v = {"a": 1}["a"]\nexcept KeyError:\n    v = 0',
  'words = "a bb ccc".split()\nfor w in words:\n    if len(w) > 1:\n        last = w',
  'nums = [3, 1, 2]\nnums.sort()\nnums[0]',
  'class K:\n    def m(self):\n        return 1\nK().m()',
];

const CANDIDATES = [
  'total = sum(items)\nprint(total)',
  'items.append(4)\nprint(sum(items))',
  'print(max(items))',
  'import math\nprint(math.prod(items))',
  'total = 0\nfor v in items:\n    total += v\nprint(total)',
  'print(sorted(items, reverse=True)[0])',
  'final_answer(sum(items))',
  'print(len(items) * 2)',
];

function stats(xs: number[]): { median: number; p95: number } {
  return { median: round(percentile(xs, 0.5)), p95: round(percentile(xs, 0.95)) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

export const pythonSandbox: BenchSuite = {
  name: 'python-sandbox',
  description:
    'Pyodide sandbox in Node: cold start, per-step overhead, restart after a hung step, SAG step of 8 candidates',
  async run() {
    // Bundling the child happens once per source version; measured apart from the start.
    let t = performance.now();
    await nodeBundles();
    const bundleMs = performance.now() - t;
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const probe = createNodeSandboxHost();
      await probe.start();
      starts.push(performance.now() - t);
      await probe.dispose();
    }
    const sb = createNodeSandboxHost({ interruptGraceMs: 500 });
    await sb.start();

    await sb.execute('items = [1, 2, 3]');
    const overhead: number[] = [];
    for (let i = 0; i < 200; i++) {
      const code = SNIPPETS[i % SNIPPETS.length] ?? 'None';
      t = performance.now();
      const r = await sb.execute(code);
      overhead.push(performance.now() - t);
      if (r.status === 'error') throw new Error(`snippet failed: ${r.error?.message ?? ''}`);
    }

    const compound: number[] = [];
    for (let i = 0; i < 200; i++) {
      const code = COMPOUND[i % COMPOUND.length] ?? 'None';
      t = performance.now();
      const r = await sb.execute(code);
      compound.push(performance.now() - t);
      if (r.status === 'error') throw new Error(`snippet failed: ${r.error?.message ?? ''}`);
    }

    const sag: number[] = [];
    for (let i = 0; i < 30; i++) {
      t = performance.now();
      const results = await sb.executeCandidates(CANDIDATES);
      await sb.adoptCandidate(results.findIndex((r) => r.status !== 'error'));
      sag.push(performance.now() - t);
      await sb.execute('items = [1, 2, 3]');
    }

    t = performance.now();
    const hung = await sb.execute('import time\ntime.sleep(100)', { timeoutMs: 200 });
    const hungStepMs = performance.now() - t;
    if (!hung.stateLost) throw new Error('expected a restart');
    // From the killed worker's error result to the next step's answer (the restart runs between).
    t = performance.now();
    await sb.execute('1 + 1');
    const recoverMs = performance.now() - t;
    await sb.dispose();

    return {
      bundleMs: round(bundleMs),
      coldStartMs: stats(starts),
      stepOverheadMs: stats(overhead),
      compoundStepOverheadMs: stats(compound),
      sag8CandidatesMs: stats(sag),
      hungStepWallMs: round(hungStepMs),
      recoverFromTerminatedWorkerMs: round(recoverMs),
      targets: { stepOverheadMedianMs: 5, coldStartMedianMs: 3000, sag8CandidatesMedianMs: 50 },
      wallCost: await measureWallCost(),
    };
  },
};

// ---------------------------------------------------------------- the wall's cost (node-wall.ts)

interface WallSamples {
  coldStartMs: number[];
  stepOverheadMs: number[];
  sag8CandidatesMs: number[];
}

/** One sandbox of the given mode: its cold start, per-step overhead and SAG steps of 8. */
async function sampleWall(wall: WallMode, into: WallSamples): Promise<void> {
  let t = performance.now();
  const sb = createNodeSandboxHost({ wall });
  await sb.start();
  into.coldStartMs.push(performance.now() - t);
  try {
    await sb.execute('items = [1, 2, 3]');
    for (let i = 0; i < 100; i++) {
      const code = SNIPPETS[i % SNIPPETS.length] ?? 'None';
      t = performance.now();
      const r = await sb.execute(code);
      into.stepOverheadMs.push(performance.now() - t);
      if (r.status === 'error') throw new Error(`snippet failed: ${r.error?.message ?? ''}`);
    }
    for (let i = 0; i < 20; i++) {
      t = performance.now();
      const results = await sb.executeCandidates(CANDIDATES);
      await sb.adoptCandidate(results.findIndex((r) => r.status !== 'error'));
      into.sag8CandidatesMs.push(performance.now() - t);
      await sb.execute('items = [1, 2, 3]');
    }
  } finally {
    await sb.dispose();
  }
}

/**
 * Before (wall 'none': the permission model alone, as before node-wall.ts) and after (every wall)
 * in the same run, alternating so the machine's load falls on both alike.
 */
async function measureWallCost() {
  const samples: Record<WallMode, WallSamples> = {
    none: { coldStartMs: [], stepOverheadMs: [], sag8CandidatesMs: [] },
    full: { coldStartMs: [], stepOverheadMs: [], sag8CandidatesMs: [] },
  };
  for (let round = 0; round < 3; round++)
    for (const wall of ['none', 'full'] as const) await sampleWall(wall, samples[wall]);
  const figures = (s: WallSamples) => ({
    coldStartMs: stats(s.coldStartMs),
    stepOverheadMs: stats(s.stepOverheadMs),
    sag8CandidatesMs: stats(s.sag8CandidatesMs),
  });
  return { before: figures(samples.none), after: figures(samples.full) };
}
