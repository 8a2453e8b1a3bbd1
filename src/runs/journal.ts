import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactedJson } from '../shared/redact.js';
import { isoTime } from '../shared/iso-time.js';
// Types only: the schema (and zod) load where journals are read (journal-read.ts), not where they are written.
import type { JournalEvent } from './journal-schema.js';

export type { CorruptLine } from './journal-read.js';
export type { JournalEvent, StepStatus } from './journal-schema.js';

/**
 * The run journal: append-only JSON Lines, one typed event a line. Every step appends to it
 * before it does the thing it describes has consequences, so a crash never loses history.
 * Appends are synchronous and line-sized so concurrent writers (our actions, `autostack log`
 * from run: steps) interleave whole lines.
 */
export const JOURNAL_VERSION = 1;

/** What a caller appends: the journal fills in version, time and run id. */
export type NewJournalEvent = DistributiveOmit<JournalEvent, 'v' | 'ts' | 'run'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class Journal {
  constructor(
    readonly path: string,
    readonly runId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  append(event: NewJournalEvent): void {
    const line = redactedJson({ v: JOURNAL_VERSION, ts: isoTime(this.now()), run: this.runId, ...event });
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${line}\n`);
  }

  /** Appends many events with one write (a batch of thousands of events is journaled per chunk). */
  appendMany(events: NewJournalEvent[]): void {
    if (events.length === 0) return;
    const now = isoTime(this.now());
    const lines = events.map((event) => redactedJson({ v: JOURNAL_VERSION, ts: now, run: this.runId, ...event }));
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${lines.join('\n')}\n`);
  }
}
