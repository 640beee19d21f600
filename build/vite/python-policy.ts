import type { Plugin } from 'vite';
import {
  parsePythonPolicy,
  PYTHON_POLICY_ENV,
  PYTHON_POLICY_OFF_WARNING,
} from '../../src/python/python-policy.ts';

/** PLAYGROUND_PYTHON_POLICY=off npm run build: an app whose model code may import js. */
export function pythonPolicy(): Plugin {
  const policy = parsePythonPolicy(process.env[PYTHON_POLICY_ENV]);
  return {
    name: 'playground:python-policy',
    config: () => ({ define: { __PLAYGROUND_PYTHON_POLICY__: JSON.stringify(policy) } }),
    buildStart() {
      if (policy === 'off') this.warn(PYTHON_POLICY_OFF_WARNING);
    },
  };
}
