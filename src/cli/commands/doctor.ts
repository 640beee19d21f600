/** `playground doctor`: which walls keep model-written code in the Node sandbox on this machine. */
import type { Command } from 'commander';
import { createNodeSandboxHost, nodeSandboxWalls } from '../../python/node-sandbox.ts';
import { formatWalls } from '../../python/node-wall.ts';
import { PlaygroundError } from '../../errors.ts';

interface DoctorCliOptions {
  probe: boolean;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'Report which walls around the Python sandbox are active here, one line each, with what to do about a missing one.',
    )
    .option('--no-probe', 'do not start a sandbox to measure the walls from inside')
    .action(async (opts: DoctorCliOptions) => {
      const out = (s: string): void => void process.stdout.write(`${s}\n`);
      const walls = await nodeSandboxWalls();
      out('Python sandbox walls (Node):');
      for (const line of formatWalls(walls)) out(`  ${line}`);
      if (opts.probe) {
        const host = createNodeSandboxHost();
        try {
          await host.start();
          const facts = Object.entries(host.isolation).map(([k, v]) => `${k}=${v}`);
          out(`Measured inside a sandbox: ${facts.join(', ')}`);
        } catch (err) {
          throw new PlaygroundError(
            'python_start_failed',
            `The sandbox did not start, so its walls could not be measured: ${PlaygroundError.from(err).message}`,
          );
        } finally {
          await host.dispose();
        }
      }
      const missing = walls.filter((w) => w.state === 'missing');
      if (!missing.length) out('Every wall that applies here is active.');
      else {
        out(`${missing.length} wall${missing.length > 1 ? 's are' : ' is'} missing: see above.`);
      }
    });
}
