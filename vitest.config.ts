import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS } from './tests/e2e/helpers/chromium-args.ts';

/** Svelte component tests (tests/components): compiled by the Svelte plugin, run in Chromium. */
const COMPONENT_TESTS = 'tests/components/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: [COMPONENT_TESTS],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        extends: true,
        plugins: [svelte()],
        // Named up front, or Vite finds them mid-run and reloads the page under a running test.
        // No scan: it would follow the run's lazy imports into the Python sandbox, whose
        // bundle only the app's Vite config builds.
        optimizeDeps: {
          noDiscovery: true,
          include: [
            'dompurify',
            'highlight.js/lib/core',
            'highlight.js/lib/languages/python',
            'idb',
            'katex',
            'marked',
          ],
        },
        test: {
          name: 'components',
          include: [COMPONENT_TESTS],
          browser: {
            enabled: true,
            headless: true,
            // Debian's Chromium, as the e2e tests use: nothing is downloaded at test time.
            provider: playwright({
              launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
