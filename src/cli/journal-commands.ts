import { type ChildProcess, spawn } from 'node:child_process';
import { UserError } from '../shared/errors.js';
import { currentJournal, RUN_ENV } from '../runs/context.js';
import type { Journal } from '../runs/journal.js';
import { JournaledStep, SIGNAL_EXIT_CODES } from '../runs/step.js';

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

export function appendLog(
  message: string,
  options: { level: LogLevel; step?: string | undefined; data?: string | undefined },
): void {
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

/**
 * Runs a command as a journaled step: start, end, exit code and duration land in the journal,
 * and a cancellation (the runner sends SIGINT, then SIGTERM) is recorded before we exit, so
 * plain run: steps are visible in the run record even without a GitHub token.
 */
export async function runJournaledStep(
  name: string,
  command: string[],
  options: { action?: string | undefined } = {},
): Promise<number> {
  const journal = requireJournal();
  const [file, ...args] = command;
  if (!file)
    throw new UserError('autostack step needs a command after --, e.g. autostack step --name build -- npm test');
  // eslint-disable-next-line prefer-const -- assigned after the step that kills it is created
  let child: ChildProcess | undefined;
  const step = new JournaledStep(journal, name, options.action ?? 'run', undefined, (signal) => {
    if (child) child.kill(signal);
    else process.exit(SIGNAL_EXIT_CODES[signal] ?? 128);
  });
  // The command learns its step's id, so what it journals (a model call, a log) belongs to this step.
  child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, AUTOSTACK_STEP_ID: step.id } });
  const started = child;
  return new Promise<number>((resolve) => {
    started.on('error', (error) => {
      step.finish('failure', { error: `could not start ${file}: ${error.message}` });
      resolve(127);
    });
    started.on('exit', (code, signal) => {
      if (signal) {
        step.finish('cancelled', { error: `terminated by ${signal}` });
        resolve(SIGNAL_EXIT_CODES[signal] ?? 128);
      } else if (code === 0) {
        step.finish('success');
        resolve(0);
      } else {
        step.finish('failure', { error: `${file} exited with code ${code}` });
        resolve(code ?? 1);
      }
    });
  });
}
