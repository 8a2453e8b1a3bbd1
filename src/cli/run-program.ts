import type { Command } from 'commander';
import { errorMessage, InputError, UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { CommanderError, FlagError, inputErrorAsFlag, oneLineFlagError } from './cli-errors.js';

/**
 * Runs a built program; user errors are one line on stderr and exit 1, never a stack trace. A bad
 * flag is one line naming the flag as typed, what is valid and `see 'autostack <command> --help'`.
 * Apart from program.ts so that a program of one command (emit-program.ts) reports the same way.
 */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  let running: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    running = actionCommand;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof FlagError) {
      process.stderr.write(`${redact(oneLineFlagError(error))}\n`);
      process.exitCode = error.exitCode || 1;
      return;
    }
    const asFlag = error instanceof InputError ? inputErrorAsFlag(error, running) : undefined;
    const prefix = error instanceof UserError ? 'error' : 'autostack internal error';
    process.stderr.write(`${redact(asFlag ?? `${prefix}: ${errorMessage(error)}`)}\n`);
    if (!(error instanceof UserError) && process.env.AUTOSTACK_DEBUG && error instanceof Error)
      process.stderr.write(`${redact(error.stack ?? '')}\n`);
    process.exitCode = 1;
  }
}
