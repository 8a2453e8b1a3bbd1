import * as core from '@actions/core';
import { exitWhenWritten, useSyncStdout } from '../io/sync-stdout.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { putCliOnPath } from './cli-on-path.js';

/**
 * The one way an action entry point runs: a user error becomes a single ::error:: line naming
 * what to fix (with file and line when known); anything else is reported as a bug, still
 * without a stack trace unless step debug logging is on. Never rethrows, so Node never prints
 * its own trace. Main steps first put the `autostack` CLI on the job's PATH (post steps run
 * after every other step, so there is no one left to call it). The log is written without
 * building Node's stdout stream (see useSyncStdout), and the process ends as soon as it is
 * written (see exitWhenWritten): nothing runs after the action returns.
 */
export async function runAction(body: () => Promise<void>, options: { cliOnPath?: boolean } = {}): Promise<void> {
  useSyncStdout();
  if (options.cliOnPath ?? true) putCliOnPath();
  try {
    await body();
  } catch (error) {
    if (error instanceof UserError) {
      // One annotation per error: setFailed() is core.error() plus the exit code, so the
      // file/line form replaces it rather than adding a second annotation.
      if (error.file) {
        core.error(redact(error.message), { file: error.file, startLine: error.line, title: 'autostack' });
        process.exitCode = 1;
      } else core.setFailed(redact(error.message));
    } else {
      core.setFailed(`autostack internal error: ${redact(errorMessage(error))} (please report this)`);
      if (error instanceof Error && error.stack) core.debug(redact(error.stack));
    }
  }
  exitWhenWritten();
}
