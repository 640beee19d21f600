/**
 * The setup parts the app needs (Pyodide packages, the default index), in the shape of
 * `playground setup`'s SETUP_PARTS. Each part reports what it lacks and fails on its own.
 */
import { Option } from 'commander';
import { SingleBar } from 'cli-progress';
import type { SetupOptions, SetupPart } from '../commands/setup.ts';
import { basename, join } from 'node:path';
import { PlaygroundError } from '../../errors.ts';
import { CORPORA, describeCatalogue, findCorpus, mirrored } from './corpus-catalogue.ts';
import { indexPresent, setupCacheDir, setupDefaultIndex } from './default-index.ts';
import { describeFailure, downloadResumable, fileIntact } from './download.ts';
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

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

/** Downloads a catalogue corpus (resuming an interrupted download) and returns its path. */
async function fetchCorpus(name: string, baseUrl: string | undefined): Promise<string> {
  const entry = findCorpus(name);
  if (!entry) {
    throw new PlaygroundError(
      'bad_input',
      `Unknown corpus "${name}". Known: ${CORPORA.map((c) => c.name).join(', ')} (see --list-corpora), or build from a local file with --from <path>.`,
    );
  }
  const url = mirrored(entry.url, baseUrl);
  const target = join(
    setupCacheDir(),
    `corpus-${entry.name}-${basename(new URL(entry.url).pathname)}`,
  );
  say(
    `corpus ${entry.name}: ${entry.title}; about ${Math.round(entry.bytes / 1e6).toLocaleString('en-US')} MB, ~${entry.passages.toLocaleString('en-US')} passages; ${entry.licence}; from ${url}`,
  );
  if (await fileIntact(target, entry.sha256)) {
    say(`corpus ${entry.name}: already downloaded (${target})`);
    return target;
  }
  const started = Date.now();
  let lastLine = 0;
  try {
    const result = await downloadResumable(
      { url, target, ...(entry.sha256 !== undefined && { sha256: entry.sha256 }) },
      {
        onProgress: ({ received, total, resumedFrom }) => {
          const now = Date.now();
          if (now - lastLine < 2000 && received !== total) return;
          lastLine = now;
          const rate = (received - resumedFrom) / Math.max(0.001, (now - started) / 1000);
          const eta = total === null ? '?' : formatEta((total - received) / rate);
          const of = total === null ? '' : ` of ${(total / 1e6).toFixed(1)}`;
          say(
            `downloading ${entry.name}: ${(received / 1e6).toFixed(1)}${of} MB, ${(rate / 1e6).toFixed(1)} MB/s, ETA ${eta}`,
          );
        },
      },
    );
    say(
      `corpus ${entry.name}: ${result.bytes.toLocaleString('en-US')} bytes${result.resumedFrom > 0 ? ` (resumed at ${result.resumedFrom.toLocaleString('en-US')})` : ''}${result.sha256 ? ', sha256 ok' : ''}`,
    );
  } catch (err) {
    throw new PlaygroundError(
      'download_failed',
      `Downloading corpus ${entry.name} from ${url} stopped (${describeFailure(err)}). Run the same command again: it resumes where it stopped.`,
      { cause: err },
    );
  }
  return target;
}

export const indexPart: SetupPart = {
  flag: 'index',
  description: 'the default Wikipedia search index into public/generated/index',
  selectedBy: ['corpus', 'list-corpora'],
  options: [
    new Option(
      '--corpus <name>',
      `build the index from a catalogue corpus: ${CORPORA.map((c) => c.name).join(', ')} (implies --index)`,
    ),
    new Option('--list-corpora', 'print the corpus catalogue (source, licence, size) and stop'),
    new Option(
      '--corpus-base-url <url>',
      'download catalogue corpora from this mirror instead of their hosts',
    ).env('PLAYGROUND_CORPUS_BASE_URL'),
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
    if (opts.listCorpora === true) {
      process.stdout.write(describeCatalogue() + '\n');
      return;
    }
    const out = str(opts.indexOut);
    if (opts.ifMissing === true && indexPresent(out)) return;
    const corpus = str(opts.corpus);
    if (corpus !== undefined && opts.from !== undefined)
      throw new PlaygroundError('bad_input', '--corpus and --from are alternatives: give one.');
    const from =
      corpus !== undefined ? await fetchCorpus(corpus, str(opts.corpusBaseUrl)) : str(opts.from);
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
