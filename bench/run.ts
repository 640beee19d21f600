/**
 * `npm run bench [name...]`: runs the benchmark suites, prints their figures and writes
 * bench/results/<suite>.json. Each suite is a module under bench/suites exporting `run()`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { suites } from './suites/index.ts';

const wanted = process.argv.slice(2);
const selected = wanted.length ? suites.filter((s) => wanted.includes(s.name)) : suites;
if (wanted.length && selected.length !== wanted.length) {
  console.error(`unknown suite; available: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
await mkdir('bench/results', { recursive: true });
let failed = false;
for (const suite of selected) {
  console.log(`\n== ${suite.name}: ${suite.description}`);
  try {
    const result = await suite.run();
    const out = { suite: suite.name, date: new Date().toISOString(), ...result };
    await writeFile(`bench/results/${suite.name}.json`, JSON.stringify(out, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    failed = true;
    console.error(`suite ${suite.name} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
