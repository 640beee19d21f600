/**
 * The Python half of the sandbox (src/python/py/_sandbox/, docs/protocol.md "Observations"), as
 * text: Vite inlines `?raw` imports, and the Node bundle (node-bundle.ts) loads them the same way.
 * The runtime writes them into the interpreter's file system as the package `_sandbox`.
 */
import init from './py/_sandbox/__init__.py?raw';
import driver from './py/_sandbox/driver.py?raw';
import executor from './py/_sandbox/executor.py?raw';
import final from './py/_sandbox/final.py?raw';
import namespace from './py/_sandbox/namespace.py?raw';
import output from './py/_sandbox/output.py?raw';
import parity from './py/_sandbox/parity.py?raw';
import policy from './py/_sandbox/policy.py?raw';
import tools from './py/_sandbox/tools.py?raw';

export const DRIVER_PACKAGE = '_sandbox';

/** File name -> source of every module in the package. */
export const DRIVER_FILES: Readonly<Record<string, string>> = {
  '__init__.py': init,
  'driver.py': driver,
  'executor.py': executor,
  'final.py': final,
  'namespace.py': namespace,
  'output.py': output,
  'parity.py': parity,
  'policy.py': policy,
  'tools.py': tools,
};
