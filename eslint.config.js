import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const nodeOnly = ['node:*', 'fs', 'path', 'child_process', 'worker_threads', 'os', 'url'];

/**
 * What each layer of src may import besides itself: an allowlist, so a folder added later is off
 * limits until it is named here. The method (agent) reaches engines, Python and search only
 * through its ports (src/agent/ports.ts), which those folders implement. `npm run deps` prints
 * the graph these rules keep.
 */
// The leaves every layer may use: errors, JSON values and the one JSON validator.
const leaves = ['errors.ts', 'json.ts', 'json-shape.ts'];
const allowedImports = {
  agent: leaves,
  engines: ['agent', ...leaves],
  python: ['agent', ...leaves],
  search: ['agent', ...leaves],
  eval: ['agent', ...leaves],
  records: ['agent', ...leaves],
};
const srcEntries = readdirSync(new URL('./src', import.meta.url));

/**
 * Everything in src is what the app and the CLI run; the build and its dev/preview server
 * (build/, Vite) stay outside, so the CLI's Node bundle never pulls Vite in.
 */
const buildTooling = {
  group: ['vite', 'vite/*', '**/build/**'],
  message: 'src must not import Vite or build/: shared logic lives in src and build/ imports it.',
};

function layerRules() {
  const unrestricted = srcEntries.filter((e) => !(e in allowedImports) && !e.includes('.'));
  const rest = {
    files: unrestricted.map((e) => `src/${e}/**/*.{ts,svelte}`),
    rules: { 'no-restricted-imports': ['error', { patterns: [buildTooling] }] },
  };
  const layers = Object.entries(allowedImports).map(([layer, allowed]) => {
    const forbidden = srcEntries.filter((e) => e !== layer && !allowed.includes(e));
    const patterns = [
      {
        group: forbidden.flatMap((e) => [`**/${e}`, `**/${e}/**`]),
        message: `src/${layer} may import only ${allowed.join(', ')} outside itself (eslint.config.js, allowedImports).`,
      },
      buildTooling,
    ];
    // The method runs in browsers, workers and Node alike: it may not reach for either host.
    if (layer === 'agent')
      patterns.push({ group: nodeOnly, message: 'src/agent must not use Node APIs.' });
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  });
  return [rest, ...layers];
}

export default ts.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'public/',
      'bench/results/',
      'test-results/',
      '.cache/',
      'models/*/resolve/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  ...layerRules(),
);
