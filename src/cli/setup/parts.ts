/**
 * The setup parts the app needs (Pyodide packages, the default index), in the shape of
 * `playground setup`'s SETUP_PARTS. Each part reports what it lacks and fails on its own.
 */
import { Option } from 'commander';
import { SingleBar } from 'cli-progress';
import type { SetupOptions, SetupPart } from '../commands/setup.ts';
import { indexPresent, setupDefaultIndex } from './default-index.ts';
import { fileProgress, silentProgress } from './progress.ts';
import {
  missingWheels,
  setupPyodidePackages,
  type PyodidePackagesOptions,
} from './pyodide-packages.ts';

const say = (s: string): void => void process.stderr.write(s + '\n');

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function wheelOptions(opts: SetupOptions): PyodidePackagesOptions {
  const dir = str(opts.pyodideDir);
  const lockFile = str(opts.pyodideLock);
  const baseUrl = str(opts.pyodideBaseUrl);
  return {
    ...(dir && { dir }),
    ...(lockFile && { lockFile }),
    ...(baseUrl && { baseUrl }),
  };
}

export const pyodidePackagesPart: SetupPart = {
  flag: 'pyodide-packages',
  description: "Pyodide's numpy, sympy and mpmath wheels (and dependencies) into public/pyodide/",
  options: [
    new Option('--pyodide-dir <dir>', 'where the wheels go (default public/pyodide)'),
    new Option(
      '--pyodide-base-url <url>',
      'where the wheels are downloaded from (default the jsDelivr CDN of the pinned Pyodide)',
    ).env('PLAYGROUND_PYODIDE_BASE_URL'),
    new Option(
      '--pyodide-lock <file>',
      "the lock file naming the wheels and their sha256 (default Pyodide's own)",
    ).env('PLAYGROUND_PYODIDE_LOCK'),
  ],
  async run(opts) {
    const base = wheelOptions(opts);
    if (opts.ifMissing === true && (await missingWheels(base)).length === 0) return;
    const progress = opts.quiet === true ? silentProgress : fileProgress();
    try {
      const result = await setupPyodidePackages({
        ...base,
        onStart: (f) => progress.start(f.fileName, null),
        onBytes: (f, received, total) => progress.bytes(f.fileName, received, total),
        onDone: (f, state) =>
          progress.finish(f.fileName, state === 'present' ? 'present, sha256 ok' : state),
      });
      progress.stop();
      process.stdout.write(
        `Pyodide packages: ${result.downloaded.length} downloaded, ${result.present.length} already present in ${result.dir}\n`,
      );
    } finally {
      progress.stop();
    }
  },
};

export const indexPart: SetupPart = {
  flag: 'index',
  description: 'the default Wikipedia search index into public/generated/index',
  options: [
    new Option(
      '--from <path>',
      'build the index from this passages/questions file or folder instead of downloading',
    ),
    new Option('--index-out <dir>', 'where the index goes (default public/generated/index)'),
    new Option(
      '--index-source-url <url>',
      'public corpus to download when no local source exists (default the HotpotQA dev distractor file)',
    ).env('PLAYGROUND_INDEX_SOURCE_URL'),
  ],
  async run(opts) {
    const out = str(opts.indexOut);
    if (opts.ifMissing === true && indexPresent(out)) return;
    const from = str(opts.from);
    const sourceUrl = str(opts.indexSourceUrl);
    const bar = new SingleBar({
      stream: process.stderr,
      format: '{task} {bar} {percentage}% | {value}/{total} bytes',
      noTTYOutput: false,
    });
    let barTask: string | null = null;
    const update = (task: string, value: number, total: number | null) => {
      if (!process.stderr.isTTY || opts.quiet === true) return;
      if (barTask !== task) {
        if (barTask) bar.stop();
        bar.start(total ?? value, value, { task });
        barTask = task;
      }
      if (total) bar.setTotal(total);
      bar.update(value, { task });
    };
    try {
      const result = await setupDefaultIndex({
        ...(out && { out }),
        ...(from && { from }),
        ...(sourceUrl && { sourceUrl }),
        onSource: (s) => {
          if (opts.quiet === true) return;
          say(
            `index source: ${s.kind === 'download' ? `${s.url ?? ''} (saved as ${s.path})` : s.path}`,
          );
        },
        onBytes: (received, total) => update('downloading', received, total),
        onBuildProgress: (p) => update('indexing', p.bytesDone, p.bytesTotal),
      });
      if (barTask) bar.stop();
      process.stdout.write(
        `default index: ${result.passages.toLocaleString('en-US')} passages in ${result.out}\n`,
      );
    } finally {
      if (barTask) bar.stop();
    }
  },
};
