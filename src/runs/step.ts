import { randomBytes } from '../shared/light-random.js';
import { errorMessage } from '../shared/errors.js';
import { currentJournal } from './context.js';
import type { Journal, NewJournalEvent, StepStatus } from './journal.js';

type StepEvent = NewJournalEvent extends infer E ? (E extends { step?: string } ? Omit<E, 'step'> : never) : never;

/** Exit codes for a process ended by these signals: 128 + signal number, the shell convention. */
export const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

function exitForSignal(signal: NodeJS.Signals): void {
  process.exit(SIGNAL_EXIT_CODES[signal] ?? 128);
}

/**
 * One of our steps in the run journal: started on creation, finished exactly once — also when
 * the runner cancels the job (SIGINT, then SIGTERM), so a cancelled step is never left looking
 * like it is still running. Without record-run there is no journal and this records nothing.
 */
export class JournaledStep {
  readonly id: string;
  private finished = false;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.finish('cancelled', { error: `cancelled by ${signal}` });
    this.afterCancel(signal);
  };

  /**
   * Handlers go in before the step is journaled, so a cancellation can never slip between.
   * `afterCancel` runs once the cancellation is journaled: by default the process exits as the
   * runner expects; a step wrapping a child process forwards the signal instead.
   */
  constructor(
    readonly journal: Journal | undefined,
    name: string,
    action: string,
    inputFingerprint?: string,
    private readonly afterCancel: (signal: NodeJS.Signals) => void = exitForSignal,
  ) {
    this.id = `${name}#${randomBytes(3).toString('hex')}`;
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    journal?.append({ type: 'step.started', step: this.id, name, action, inputFingerprint });
  }

  append(event: StepEvent): void {
    // ncc's bundled TypeScript needs the assertion on the spread union (tsc 5.9 does not).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    this.journal?.append({ ...event, step: this.id } as NewJournalEvent);
  }

  finish(status: StepStatus, details: { outputSummary?: string | undefined; error?: string | undefined } = {}): void {
    if (this.finished) return;
    this.finished = true;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.journal?.append({ type: 'step.finished', step: this.id, status, ...details });
  }
}

export function beginStep(name: string, action: string, inputFingerprint?: string): JournaledStep {
  return new JournaledStep(currentJournal(), name, action, inputFingerprint);
}

/**
 * Runs `work` as one journaled step: finished as a success with the summary `describe` gives of
 * its result, or as a failure with the error, which is rethrown for the caller to report.
 */
export async function inJournaledStep<T>(
  name: string,
  action: string,
  work: (step: JournaledStep) => Promise<T>,
  describe: (result: T) => string,
): Promise<T> {
  const step = beginStep(name, action);
  try {
    const result = await work(step);
    step.finish('success', { outputSummary: describe(result) });
    return result;
  } catch (error) {
    step.finish('failure', { error: errorMessage(error) });
    throw error;
  }
}

/** A short, single-line preview of an output for the run record. */
export function summarize(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
