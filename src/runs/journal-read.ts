import { readFileSync } from 'node:fs';
import { JOURNAL_VERSION } from './journal.js';
import type { JournalEvent } from './journal-schema.js';

export type { JournalEvent } from './journal-schema.js';

export interface CorruptLine {
  line: number;
  raw: string;
  problem: string;
}

const RAW_KEEP = 2000;

/** What a field of an event holds (journal-schema.ts says the same with zod). */
type Field =
  'text' | 'text?' | 'number' | 'count' | 'flag?' | 'hit' | 'any' | 'any?' | 'status' | 'level' | 'texts?' | 'values?';

const STATUSES = new Set(['success', 'failure', 'cancelled', 'skipped']);
const LEVELS = new Set(['debug', 'info', 'notice', 'warning', 'error']);

/** Each event type's own fields, in the schema's order (the record keeps this order). */
const SHAPES: Record<string, Record<string, Field>> = {
  'run.started': { name: 'text', github: 'texts?', trigger: 'values?' },
  'step.started': { step: 'text', name: 'text', action: 'text?', inputFingerprint: 'text?' },
  'step.finished': { step: 'text', status: 'status', outputSummary: 'text?', error: 'text?' },
  'model.call': {
    provider: 'text',
    model: 'text',
    inputTokens: 'number',
    outputTokens: 'number',
    cacheReadTokens: 'count',
    cacheWriteTokens: 'count',
    costUsd: 'number',
    latencyMs: 'number',
    fingerprint: 'text?',
    stopReason: 'text?',
    retries: 'count',
    cacheHit: 'hit',
  },
  'tool.call': { tool: 'text', input: 'any', output: 'any?', error: 'text?', durationMs: 'number' },
  'system.touched': { system: 'text', target: 'text', operation: 'text', id: 'text?', duplicate: 'flag?' },
  log: { level: 'level', message: 'text', data: 'any?' },
  'human.intervention': { who: 'text', what: 'text' },
  output: { name: 'text', value: 'text' },
  'run.cancelled': { reason: 'text' },
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The field's value as the schema parses it (defaults filled in), or NO when it does not fit. */
const NO = Symbol('no');
function fieldValue(kind: Field, value: unknown): unknown {
  if (value === undefined && (kind.endsWith('?') || kind === 'count' || kind === 'hit'))
    return kind === 'count' ? 0 : kind === 'hit' ? false : undefined;
  if (kind === 'text' || kind === 'text?') return typeof value === 'string' ? value : NO;
  if (kind === 'number' || kind === 'count') return typeof value === 'number' && Number.isFinite(value) ? value : NO;
  if (kind === 'flag?' || kind === 'hit') return typeof value === 'boolean' ? value : NO;
  if (kind === 'status') return STATUSES.has(value as string) ? value : NO;
  if (kind === 'level') return LEVELS.has(value as string) ? value : NO;
  if (kind === 'texts?')
    return isRecord(value) && Object.values(value).every((entry) => entry === undefined || typeof entry === 'string')
      ? { ...value }
      : NO;
  if (kind === 'values?') return isRecord(value) ? { ...value } : NO;
  // A required unknown (tool.call input) must be there: the schema refuses a line without it.
  return kind === 'any' && value === undefined ? NO : value;
}

/** The event as the schema would return it (known fields in its order), or undefined to let zod say why not. */
function handParse(value: unknown): JournalEvent | undefined {
  if (!isRecord(value) || value.v !== JOURNAL_VERSION || typeof value.type !== 'string') return undefined;
  const shape = Object.hasOwn(SHAPES, value.type) ? SHAPES[value.type] : undefined;
  if (!shape) return undefined;
  // The schema's order: the common fields (a type's own `step` in their place), the type, its fields.
  const fields: Array<[string, Field]> = [
    ['ts', 'text'],
    ['run', 'text'],
    ['step', shape.step ?? 'text?'],
    ...Object.entries(shape).filter(([name]) => name !== 'step'),
  ];
  const event: Record<string, unknown> = { v: value.v };
  for (const [name, kind] of fields) {
    const parsed = fieldValue(kind, value[name]);
    if (parsed === NO) return undefined;
    if (parsed !== undefined) event[name] = parsed;
    if (name === 'step') event.type = value.type;
  }
  return event as JournalEvent;
}

/**
 * Reads a journal, keeping every line: a line that is not a valid event (a writer killed
 * mid-line, a hand edit) is returned as corrupt rather than failing the record. Lines are checked
 * by hand; zod (journal-schema.ts) loads only to name the problem in a line that fails.
 */
export async function readJournal(path: string): Promise<{ events: JournalEvent[]; corrupt: CorruptLine[] }> {
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
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      corrupt.push({ line: index + 1, raw: raw.slice(0, RAW_KEEP), problem: 'not valid JSON (truncated write?)' });
      continue;
    }
    const event = handParse(parsed);
    if (event) {
      events.push(event);
      continue;
    }
    const { journalEventSchema } = await import('./journal-schema.js');
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
  }
  return { events, corrupt };
}
