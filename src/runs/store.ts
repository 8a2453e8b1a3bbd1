import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import { redactedJson } from '../shared/redact.js';
import type { RunRecord } from './record.js';

export const DEFAULT_RUNS_DIRECTORY = '.autostack/runs';
export const RECORD_FILE_NAME = 'run-record.json';

export function artifactName(runId: string): string {
  return `autostack-run-${runId}`;
}

/** Serialised once, so the local copy and the artifact hold the same bytes. */
export function serializeRecord(record: RunRecord): string {
  return `${redactedJson(record, 2)}\n`;
}

/** Fails early (in the main step) when the records directory cannot be written. */
export function ensureWritableDirectory(directory: string, inputName: string): void {
  try {
    mkdirSync(directory, { recursive: true });
    const probe = join(directory, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    // unlink, not rm: rmSync stats the path and walks it first, for a file this step just made.
    unlinkSync(probe);
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
