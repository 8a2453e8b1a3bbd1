import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { UserError } from '../shared/errors.js';
import { currentJournal, RUN_ENV } from '../runs/context.js';
import type { Journal } from '../runs/journal.js';

export function requireJournal(): Journal {
  const journal = currentJournal();
  if (!journal) {
    throw new UserError(
      `No run journal: ${RUN_ENV.journal} and ${RUN_ENV.runId} are not set. Add record-run as the first step of the job, or run \`eval "$(autostack record-run start)"\` locally.`,
    );
  }
  return journal;
}

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error';

export function appendLog(message: string, options: { level: LogLevel; step?: string | undefined; data?: string | undefined }): void {
  let data: unknown;
  if (options.data !== undefined) {
    try {
      data = JSON.parse(options.data);
    } catch {
      throw new UserError(`Flag '--data' must be JSON (got '${options.data.slice(0, 40)}')`);
    }
  }
  requireJournal().append({ type: 'log', level: options.level, message, step: options.step, data });
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs a command as a journaled step: start, end, exit code and duration land in the journal,
 * and a cancellation (the runner sends SIGINT, then SIGTERM) is recorded before we exit, so
 * plain run: steps are visible in the run record even without a GitHub token.
 */
export async function runJournaledStep(name: string, command: string[], options: { action?: string | undefined } = {}): Promise<number> {
  const journal = requireJournal();
  const [file, ...args] = command;
  if (!file) throw new UserError('autostack step needs a command after --, e.g. autostack step --name build -- npm test');
  const step = `${name}#${randomBytes(3).toString('hex')}`;
  let finished = false;
  const finish = (status: 'success' | 'failure' | 'cancelled', error?: string) => {
    if (finished) return;
    finished = true;
    journal.append({ type: 'step.finished', step, status, error });
  };
  let child: ReturnType<typeof spawn> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    finish('cancelled', `cancelled by ${signal}`);
    if (child) child.kill(signal);
    else process.exit(SIGNAL_EXIT[signal] ?? 128);
  };
  // Handlers go in before the step is journaled, so a cancellation can never slip between.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  journal.append({ type: 'step.started', step, name, action: options.action ?? 'run' });
  child = spawn(file, args, { stdio: 'inherit' });
  const started = child;
  return new Promise<number>((resolve) => {
    started.on('error', (error) => {
      finish('failure', `could not start ${file}: ${error.message}`);
      resolve(127);
    });
    started.on('exit', (code, signal) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (signal) {
        finish('cancelled', `terminated by ${signal}`);
        resolve(SIGNAL_EXIT[signal] ?? 128);
      } else if (code === 0) {
        finish('success');
        resolve(0);
      } else {
        finish('failure', `${file} exited with code ${code}`);
        resolve(code ?? 1);
      }
    });
  });
}
