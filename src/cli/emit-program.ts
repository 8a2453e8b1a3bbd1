import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { throwOnFlagErrors } from './cli-errors.js';
import { registerEventCommands } from './events-commands.js';
import { runProgram } from './run-program.js';

/**
 * `autostack emit ...` with only the emit command loaded: the same registration, flags, help and
 * error reporting as the full program, without the modules of every other command. Why: `emit
 * --batch` streams files of any size under a memory bound (issue 15), and the whole CLI costs
 * about 11 MB more resident memory than this.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('autostack')
    .version(packageJson.version, '-V, --version', 'print the autostack version')
    .enablePositionalOptions();
  registerEventCommands(program);
  throwOnFlagErrors(program);
  await runProgram(program, argv);
}
