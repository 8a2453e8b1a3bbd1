import { randomBytes } from 'node:crypto';
import { currentJournal } from './context.js';
import type { Journal, NewJournalEvent, StepStatus } from './journal.js';

type StepEvent = NewJournalEvent extends infer E ? (E extends { step?: string } ? Omit<E, 'step'> : never) : never;

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
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  constructor(
    readonly journal: Journal | undefined,
    name: string,
    action: string,
    inputFingerprint?: string,
  ) {
    this.id = `${name}#${randomBytes(3).toString('hex')}`;
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    journal?.append({ type: 'step.started', step: this.id, name, action, inputFingerprint });
  }

  append(event: StepEvent): void {
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

/** A short, single-line preview of an output for the run record. */
export function summarize(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
