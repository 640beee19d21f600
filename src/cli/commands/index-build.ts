import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { PlaygroundError } from '../../errors.ts';
import { buildIndexFromFiles } from '../../search/node/index.ts';

interface IndexBuildOptions {
  input: string[];
  out: string;
  chunkWords: string;
  limit?: string;
  quiet: boolean;
}

function integerAtLeast(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    const what = min === 0 ? 'a whole number (0 or more)' : 'a positive integer';
    throw new PlaygroundError('bad_input', `${flag} must be ${what}, got "${value}".`);
  }
  return n;
}

/** `playground index build`: passages, question contexts or Wikipedia Parquet -> an index folder. */
export function register(program: Command): void {
  const index = program.command('index').description('Build the local Wikipedia search index.');
  index
    .command('build')
    .description(
      'Build a search index folder from passage JSONL (id,title,text or wiki-18 contents), DPR TSV, ' +
        'HotpotQA/2Wiki/MuSiQue question files with context paragraphs, or Parquet articles (title,text). ' +
        'Formats are detected from the content; folders are read recursively.',
    )
    .requiredOption('--input <path...>', 'input files or folders')
    .requiredOption('--out <dir>', 'output index folder (replaced when the build completes)')
    .option(
      '--chunk-words <n>',
      'words per passage: articles, and paragraphs over 1.5x this, are cut into windows of about this many (0: keep paragraphs whole)',
      '100',
    )
    .option('--limit <n>', 'stop after this many passages')
    .option('-q, --quiet', 'no progress bar', false)
    .action(async (opts: IndexBuildOptions) => {
      const chunkWords = integerAtLeast(opts.chunkWords, '--chunk-words', 0);
      const limit = opts.limit === undefined ? undefined : integerAtLeast(opts.limit, '--limit', 1);
      const bar = new SingleBar({
        stream: process.stderr,
        format:
          'indexing {bar} {percentage}% | {done}/{size} MB | {passages} passages, {duplicates} duplicates | {rate} MB/s | ETA {eta_formatted}',
        barsize: 24,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        etaBuffer: 50,
      });
      const started = Date.now();
      let barStarted = false;
      let size = '0.0';
      const manifest = await buildIndexFromFiles({
        inputs: opts.input,
        out: opts.out,
        chunkWords,
        limit,
        onStart: (files) => {
          if (opts.quiet) return;
          const bytes = files.reduce((s, f) => s + f.bytes, 0);
          for (const f of files) process.stderr.write(`input ${f.path}: ${f.format}\n`);
          size = (bytes / 1e6).toFixed(1);
          bar.start(bytes, 0, { done: '0.0', size, passages: 0, duplicates: 0, rate: '0.0' });
          barStarted = true;
        },
        onProgress: (p) => {
          if (!barStarted) return;
          const seconds = Math.max(0.001, (Date.now() - started) / 1000);
          bar.update(p.bytesDone, {
            done: (p.bytesDone / 1e6).toFixed(1),
            size,
            passages: p.passages.toLocaleString('en-US'),
            duplicates: p.duplicates.toLocaleString('en-US'),
            rate: (p.bytesDone / 1e6 / seconds).toFixed(1),
          });
        },
      }).finally(() => {
        if (barStarted) bar.stop();
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const c = manifest.counts;
      process.stdout.write(
        `Indexed ${c.passages.toLocaleString('en-US')} passages (${c.duplicates} duplicates and ${c.skippedEmpty} empty skipped, ` +
          `${c.vocabulary.toLocaleString('en-US')} terms, ${c.chunked.toLocaleString('en-US')} long paragraphs cut into ~${chunkWords}-word passages) ` +
          `into ${opts.out} in ${seconds} s (${c.termShards} term shards, ${c.tailPacks} tail packs, ${c.passageShards} passage shards).\n`,
      );
    });
}
