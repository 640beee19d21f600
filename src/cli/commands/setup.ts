/**
 * `playground setup`: fetches what the playground needs once, while online. Each part (benchmark
 * data now; Pyodide packages and the index later) is one entry of SETUP_PARTS with its own flag.
 */
import { Option, type Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { fetchPaperData, type FetchProgress } from '../../eval/node/fetch-data.ts';
import { resolveDataDir } from '../../eval/node/load-benchmark.ts';
import { PlaygroundError } from '../../errors.ts';
import { indexPart, pyodidePackagesPart } from '../setup/parts.ts';
import { alreadyReported, forgetReport, hasReport, remember } from '../setup/missing-notice.ts';

export interface SetupOptions {
  data?: boolean;
  dataDir?: string;
  dataBaseUrl?: string;
  /** Do only what is missing, silently when nothing is. */
  ifMissing?: boolean;
  /** No per-file progress: what is missing was reported before (set by --if-missing). */
  quiet?: boolean;
  [part: string]: unknown;
}

export interface SetupPart {
  /** The flag that selects this part, e.g. 'data' for --data. */
  flag: string;
  description: string;
  /** false: runs only when its flag is given (plain `playground setup` skips it). */
  byDefault?: boolean;
  /** Options of this part that select it on their own (e.g. --corpus selects --index). */
  selectedBy?: string[];
  /** Extra options of this part. */
  options: Option[];
  run(opts: SetupOptions): Promise<void>;
}

function fileProgress(): { onProgress: (p: FetchProgress) => void; stop: () => void } {
  const log = (s: string): void => void process.stderr.write(s + '\n');
  if (!process.stderr.isTTY) {
    return {
      onProgress: (p) => {
        if (p.state === 'skipped') log(`${p.file.path}: present, checksum ok`);
        else if (p.state === 'done') log(`${p.file.path}: downloaded (${p.receivedBytes} bytes)`);
        else if (p.state === 'failed') log(`${p.file.path}: FAILED ${p.error ?? ''}`);
      },
      stop: () => undefined,
    };
  }
  const bars = new MultiBar(
    { stream: process.stderr, format: '{bar} {percentage}% | {file} {status}', hideCursor: true },
    Presets.shades_classic,
  );
  const byFile = new Map<string, ReturnType<MultiBar['create']>>();
  return {
    onProgress: (p) => {
      let bar = byFile.get(p.file.path);
      const total = p.totalBytes ?? p.file.size ?? 1;
      if (!bar) {
        bar = bars.create(total, 0, { file: p.file.path, status: '' });
        byFile.set(p.file.path, bar);
      }
      const status =
        p.state === 'skipped'
          ? 'present'
          : p.state === 'failed'
            ? 'FAILED'
            : p.state === 'done'
              ? 'done'
              : '';
      bar.setTotal(total);
      bar.update(p.state === 'failed' ? 0 : p.state === 'downloading' ? p.receivedBytes : total, {
        status,
      });
    },
    stop: () => bars.stop(),
  };
}

const dataPart: SetupPart = {
  flag: 'data',
  byDefault: false,
  description:
    "the paper's eight benchmark test files (from github.com/Nardien/agent-distillation)",
  options: [
    new Option(
      '--data-dir <dir>',
      'where to put them (default $AGENT_DATA_DIR, else ../shared/data)',
    ),
    new Option(
      '--data-base-url <url>',
      'raw root of the reference repository (a mirror, or a local server)',
    ).env('PLAYGROUND_DATA_BASE_URL'),
  ],
  async run(opts) {
    const dataDir = resolveDataDir(opts.dataDir);
    process.stderr.write(`benchmark data -> ${dataDir}\n`);
    const progress = fileProgress();
    try {
      const result = await fetchPaperData({
        dataDir,
        baseUrl: opts.dataBaseUrl,
        onProgress: progress.onProgress,
      });
      progress.stop();
      process.stdout.write(
        `benchmark data: ${result.downloaded.length} downloaded, ${result.skipped.length} already present in ${dataDir}\n`,
      );
    } finally {
      progress.stop();
    }
  },
};

/** Add one entry per part (issue 7: Pyodide packages, the Wikipedia index). */
export const SETUP_PARTS: SetupPart[] = [pyodidePackagesPart, indexPart, dataPart];

export function register(program: Command): void {
  const cmd = program
    .command('setup')
    .description(
      'Fetch what the playground needs while online; with no flag, everything the app needs (not --data).',
    )
    .option('--if-missing', 'do only what is missing, quietly when nothing is');
  for (const part of SETUP_PARTS) {
    cmd.option(`--${part.flag}`, `fetch ${part.description}`);
    for (const option of part.options) cmd.addOption(option);
  }
  cmd.action(async (opts: SetupOptions) => {
    const key = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const chosen = SETUP_PARTS.filter(
      (p) =>
        opts[key(p.flag)] === true || (p.selectedBy ?? []).some((o) => opts[key(o)] !== undefined),
    );
    if (opts.ifMissing === true && hasReport()) opts.quiet = true;
    // One part failing (e.g. offline) must not stop the others; all failures are reported.
    const failures: PlaygroundError[] = [];
    for (const part of chosen.length ? chosen : SETUP_PARTS.filter((p) => p.byDefault !== false)) {
      try {
        await part.run(opts);
      } catch (err) {
        const e = PlaygroundError.from(err);
        if (e.code === 'aborted' || e.code === 'bad_input') throw e;
        failures.push(e);
      }
    }
    const [first] = failures;
    if (!first) {
      if (opts.ifMissing === true) forgetReport();
      return;
    }
    // `npm start` runs this on every start: the full block once, then one line while unchanged.
    if (opts.ifMissing === true) {
      if (alreadyReported(failures)) {
        const what = failures.map((e) => (e.message.split('\n')[0] ?? '').replace(/:$/, ''));
        process.stderr.write(
          `playground setup: still missing (details were shown before; \`npx playground setup\` shows them again): ${what.join('; ')}\n`,
        );
        return;
      }
      remember(failures);
    }
    if (failures.length === 1) throw first;
    throw new PlaygroundError(first.code, failures.map((e) => e.message).join('\n\n'));
  });
}
