import { Command, CommanderError } from 'commander';
import { PlaygroundError } from '../errors.ts';
import { commands } from './commands/index.ts';

/** Builds the `playground` program; each command lives in its own file under ./commands. */
export function buildProgram(): Command {
  const program = new Command('playground')
    .description(
      'Small Agent Playground: run agent-distilled small models with Wikipedia search and a Python sandbox.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code: 0 on success, 1 on a failure, 2 on bad usage. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    const e = PlaygroundError.from(err);
    process.stderr.write(`playground: ${e.message}\n`);
    return e.code === 'bad_input' ? 2 : 1;
  }
}
