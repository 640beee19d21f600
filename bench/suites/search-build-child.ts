/**
 * Builds a synthetic index in its own process, so the process's peak RSS (maxRSS) is the build's:
 * `node --import tsx bench/suites/search-build-child.ts <passages> <out>` prints one JSON line.
 */
import { rm } from 'node:fs/promises';
import { IndexBuilder } from '../../src/search/index.ts';
import { dirIndexSink } from '../../src/search/node/index.ts';
import { corpusPassages, dataDir } from './search.ts';
import { syntheticCorpus } from './search-synthetic.ts';

const [size, out] = [Number(process.argv[2]), process.argv[3] ?? ''];
const real = await corpusPassages(dataDir());
await rm(out, { recursive: true, force: true });
const builder = new IndexBuilder({ keepDuplicates: true, sink: await dirIndexSink(out) });
const t0 = performance.now();
let generateMs = 0;
const it = syntheticCorpus(real, size)[Symbol.iterator]();
for (;;) {
  const tg = performance.now();
  const next = it.next();
  generateMs += performance.now() - tg;
  if (next.done) break;
  await builder.add(next.value);
}
const addS = (performance.now() - t0 - generateMs) / 1000;
const tFinish = performance.now();
const manifest = await builder.finish();
const finishS = (performance.now() - tFinish) / 1000;
process.stdout.write(
  JSON.stringify({
    inputParagraphs: size,
    passages: manifest.counts.passages,
    vocabulary: manifest.counts.vocabulary,
    postings: manifest.counts.postings,
    spilledRuns: builder.spilledRuns,
    generateS: Math.round(generateMs / 100) / 10,
    buildS: Math.round((addS + finishS) * 10) / 10,
    mergeAndWriteS: Math.round(finishS * 10) / 10,
    cpuS: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }) + '\n',
);
