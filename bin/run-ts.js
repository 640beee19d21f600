#!/usr/bin/env node
// Runs a TypeScript entry point (benchmarks, scripts) through tsx without a build step.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run-ts.js <file.ts> [args...]');
  process.exit(2);
}
register();
process.argv = [process.execPath, entry, ...rest];
await import(pathToFileURL(resolve(entry)).href);
