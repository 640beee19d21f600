/**
 * The switch that turns the Python-level policy off (docs/protocol.md, "The Python policy"), so
 * tests of the outer wall can run hostile JavaScript in the sandbox's realm through `import js`.
 * The CLI reads it from the environment; the app has it baked in at build time (vite.config.ts).
 */
import { PlaygroundError } from '../errors.ts';

export type PythonPolicy = 'on' | 'off';

export const PYTHON_POLICY_ENV = 'PLAYGROUND_PYTHON_POLICY';

export const PYTHON_POLICY_OFF_WARNING =
  'WARNING: the Python policy is off (PLAYGROUND_PYTHON_POLICY=off): model code may import js ' +
  'and run JavaScript in the sandbox. Only the sandbox wall stands between it and the rest of ' +
  'the machine. Use this for testing that wall, never for normal runs.';

/** Unset or empty means on; anything but on/off is refused rather than guessed. */
export function parsePythonPolicy(value: string | undefined): PythonPolicy {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') return 'on';
  if (v === 'off') return 'off';
  throw new PlaygroundError(
    'bad_input',
    `${PYTHON_POLICY_ENV} must be "on" or "off", not ${JSON.stringify(value)}.`,
  );
}
