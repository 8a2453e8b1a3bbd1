import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from '../shared/mini-zod.js';
import { RUN_RECORD_SCHEMA } from './record.js';

/**
 * Reading run records back (`runs list`, `runs show`, the dashboard, history): the shape check and
 * the listing. Kept apart from store.ts, which the record-run steps use to write, so writing a
 * record never loads zod (issue 15).
 */

/** Minimal shape check for records read back from disk (dashboard, `runs list`). */
export const storedRecordSchema = z.looseObject({
  schema: z.literal(RUN_RECORD_SCHEMA),
  runId: z.string(),
  name: z.string(),
  status: z.enum(['success', 'failure', 'cancelled']),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  totals: z.looseObject({ costUsd: z.number(), inputTokens: z.number(), outputTokens: z.number() }),
});

/** Why a stored record cannot be used, in a few words (for `runs list` and `runs show`). */
export function recordProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON (truncated write?)';
  }
  const result = storedRecordSchema.safeParse(parsed);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return `not a run record: ${issue?.path.join('.') || 'record'} ${issue?.message ?? ''}`.trim();
}

export interface StoredRecordSummary {
  path: string;
  runId: string;
  name: string;
  status: string;
  startedAt: string;
  durationMs: number;
  costUsd: number;
}

/** Lists run records in a directory, newest first; unreadable files are reported, not fatal. */
export function listLocalRecords(directory: string): { records: StoredRecordSummary[]; unreadable: string[] } {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], unreadable: [] };
    throw error;
  }
  const records: StoredRecordSummary[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    const path = join(directory, name);
    try {
      const parsed = storedRecordSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      records.push({
        path,
        runId: parsed.runId,
        name: parsed.name,
        status: parsed.status,
        startedAt: parsed.startedAt,
        durationMs: parsed.durationMs,
        costUsd: parsed.totals.costUsd,
      });
    } catch {
      unreadable.push(path);
    }
  }
  records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return { records, unreadable };
}
