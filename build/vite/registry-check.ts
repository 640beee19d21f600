import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { validateRegistry } from '../../src/engines/model-registry.ts';

/** A malformed models/registry.json fails the build instead of the page. */
export function registryCheck(root: string): Plugin {
  return {
    name: 'playground:registry-check',
    buildStart() {
      const file = resolve(root, 'models/registry.json');
      this.addWatchFile(file);
      validateRegistry(JSON.parse(readFileSync(file, 'utf8')));
    },
  };
}
