import * as z from '../shared/mini-zod.js';
// Through context.ts, not journal.ts: this module is an import() target, and one that reached journal.ts
// without context.ts put the two in separate chunks, one more file on every action's start path.
import { JOURNAL_VERSION } from './context.js';

/**
 * The schema every journal line is checked against. journal-read.ts checks the lines by hand and
 * loads this (and zod) only to name what is wrong in a line that fails; a test holds the two to
 * the same verdicts and values.
 */
const stepStatus = z.enum(['success', 'failure', 'cancelled', 'skipped']);
export type StepStatus = z.infer<typeof stepStatus>;

const baseEvent = z.object({
  v: z.literal(JOURNAL_VERSION),
  ts: z.string(),
  run: z.string(),
  step: z.optional(z.string()),
});

const text = z.string();
const maybeText = z.optional(z.string());
const count = z._default(z.number(), 0);

/** One kind of journal event: the common fields, its type, and its own fields. */
function event<T extends string, S extends Parameters<typeof z.object>[0] & object>(type: T, shape: S) {
  // extend, not a spread: a shape's own `step` must replace the optional one of the base in the type too.
  return z.extend(z.extend(baseEvent, { type: z.literal(type) }), shape);
}

export const journalEventSchema = z.discriminatedUnion('type', [
  event('run.started', {
    name: text,
    github: z.optional(z.record(z.string(), maybeText)),
    trigger: z.optional(z.record(z.string(), z.unknown())),
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
    cacheHit: z._default(z.boolean(), false),
  }),
  event('tool.call', {
    tool: text,
    input: z.unknown(),
    output: z.optional(z.unknown()),
    error: maybeText,
    durationMs: z.number(),
  }),
  event('system.touched', {
    system: text,
    target: text,
    operation: text,
    id: maybeText,
    duplicate: z.optional(z.boolean()),
  }),
  event('log', {
    level: z.enum(['debug', 'info', 'notice', 'warning', 'error']),
    message: text,
    data: z.optional(z.unknown()),
  }),
  event('human.intervention', { who: text, what: text }),
  /** A value the run hands back to whoever started it (`autostack output NAME=VALUE`); read by a waiting parent. */
  event('output', { name: text, value: text }),
  event('run.cancelled', { reason: text }),
]);

export type JournalEvent = z.infer<typeof journalEventSchema>;
