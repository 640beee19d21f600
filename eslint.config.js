import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const nodeOnly = ['node:*', 'fs', 'path', 'child_process', 'worker_threads', 'os', 'url'];

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
  {
    // The agent core runs in the browser and in Node: it may not reach for either host.
    files: ['src/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnly, message: 'src/agent must not use Node APIs.' },
            {
              group: ['**/ui/**', '**/cli/**', '**/workers/**'],
              message: 'src/agent may not depend on ui, cli or workers.',
            },
            {
              group: ['**/engines/openai*', '**/engines/webllm*', '**/engines/replay*'],
              message: 'src/agent depends on the ChatEngine interface, never a concrete engine.',
            },
          ],
        },
      ],
    },
  },
);
