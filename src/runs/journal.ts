import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { redactDeep } from '../shared/redact.js';

/**
 * The run journal: append-only JSON Lines, one typed event a line. Every step appends to it
 * before it does the thing it describes has consequences, so a crash never loses history.
 * Appends are synchronous and line-sized so concurrent writers (our actions, `autostack log`
 * from run: steps) interleave whole lines.
 */
export const JOURNAL_VERSION = 1;

const stepStatus = z.enum(['success', 'failure', 'cancelled', 'skipped']);
export type StepStatus = z.infer<typeof stepStatus>;

const baseEvent = z.object({
  v: z.literal(JOURNAL_VERSION),
  ts: z.string(),
  run: z.string(),
  step: z.string().optional(),
});

const text = z.string();
const maybeText = z.string().optional();
const count = z.number().default(0);

/** One kind of journal event: the common fields, its type, and its own fields. */
function event<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  // extend, not a spread: a shape's own `step` must replace the optional one of the base in the type too.
  return baseEvent.extend({ type: z.literal(type) }).extend(shape);
}

export const journalEventSchema = z.discriminatedUnion('type', [
  event('run.started', {
    name: text,
    github: z.record(z.string(), maybeText).optional(),
    trigger: z.record(z.string(), z.unknown()).optional(),
  }),
  event('step.started', { step: text, name: text, action: maybeText, inputFingerprint: maybeText }),
  event('step.finished', { step: text, status: stepStatus, outputSummary: maybeText, error: maybeText }),
  event('model.call', {
    provider: text,
    model: text,
    inputTokens: z.number(),
    outputTokens: z.number(),
    cacheReadTokens: count,
    cacheWriteTokens: count,
    costUsd: z.number(),
    latencyMs: z.number(),
    fingerprint: maybeText,
    stopReason: maybeText,
    retries: count,
    cacheHit: z.boolean().default(false),
  }),
  event('tool.call', {
    tool: text,
    input: z.unknown(),
    output: z.unknown().optional(),
    error: maybeText,
    durationMs: z.number(),
  }),
  event('system.touched', {
    system: text,
    target: text,
    operation: text,
    id: maybeText,
    duplicate: z.boolean().optional(),
  }),
  event('log', {
    level: z.enum(['debug', 'info', 'notice', 'warning', 'error']),
    message: text,
    data: z.unknown().optional(),
  }),
  event('human.intervention', { who: text, what: text }),
  /** A value the run hands back to whoever started it (`autostack output NAME=VALUE`); read by a waiting parent. */
  event('output', { name: text, value: text }),
  event('run.cancelled', { reason: text }),
]);

export type JournalEvent = z.infer<typeof journalEventSchema>;
/** What a caller appends: the journal fills in version, time and run id. */
export type NewJournalEvent = DistributiveOmit<JournalEvent, 'v' | 'ts' | 'run'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface CorruptLine {
  line: number;
  raw: string;
  problem: string;
}

export class Journal {
  constructor(
    readonly path: string,
    readonly runId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  append(event: NewJournalEvent): JournalEvent {
    // ncc's bundled TypeScript widens the spread union without the assertion, though tsc 5.9 does not.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const full = redactDeep({
      v: JOURNAL_VERSION,
      ts: this.now().toISOString(),
      run: this.runId,
      ...event,
    } as JournalEvent);
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(full)}\n`);
    return full;
  }
}

const RAW_KEEP = 2000;

/**
 * Reads a journal, keeping every line: a line that is not a valid event (a writer killed
 * mid-line, a hand edit) is returned as corrupt rather than failing the record.
 */
export function readJournal(path: string): { events: JournalEvent[]; corrupt: CorruptLine[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], corrupt: [] };
    throw error;
  }
  const events: JournalEvent[] = [];
  const corrupt: CorruptLine[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      corrupt.push({ line: index + 1, raw: raw.slice(0, RAW_KEEP), problem: 'not valid JSON (truncated write?)' });
      return;
    }
    const result = journalEventSchema.safeParse(parsed);
    if (result.success) events.push(result.data);
    else {
      const issue = result.error.issues[0];
      corrupt.push({
        line: index + 1,
        raw: raw.slice(0, RAW_KEEP),
        problem: `not a journal event: ${issue?.path.join('.') || 'event'} ${issue?.message ?? ''}`.trim(),
      });
    }
  });
  return { events, corrupt };
}
