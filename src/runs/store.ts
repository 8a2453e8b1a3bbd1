import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import { redactDeep } from '../shared/redact.js';
import { type RunRecord, storedRecordSchema } from './record.js';

export const DEFAULT_RUNS_DIRECTORY = '.autostack/runs';
export const RECORD_FILE_NAME = 'run-record.json';

export function artifactName(runId: string): string {
  return `autostack-run-${runId}`;
}

/** Serialised once, so the local copy and the artifact hold the same bytes. */
export function serializeRecord(record: RunRecord): string {
  return `${JSON.stringify(redactDeep(record), null, 2)}\n`;
}

/** Fails early (in the main step) when the records directory cannot be written. */
export function ensureWritableDirectory(directory: string, inputName: string): void {
  try {
    mkdirSync(directory, { recursive: true });
    const probe = join(directory, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(
      `Input '${inputName}' names a directory that cannot be written: ${directory} (${code}). Choose a writable path, e.g. ${DEFAULT_RUNS_DIRECTORY}.`,
    );
  }
}

/**
 * Atomic: the bytes go to a temporary file beside the record, then one rename makes them the
 * record. A full disk or a kill mid-write leaves the temporary file (removed here when we can),
 * never a truncated record that readers would take for a real one.
 */
export function writeLocalRecord(directory: string, runId: string, bytes: string): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${runId}.json`);
  const temporary = join(directory, `.${runId}.json.tmp-${process.pid}`);
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return path;
}

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
