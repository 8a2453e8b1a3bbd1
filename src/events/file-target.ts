import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../shared/errors.js';
import { type CloudEvent, serializeEvent } from './cloud-event.js';

/**
 * The local file target: JSON Lines, one CloudEvent envelope a line, appended with fsync. It is
 * idempotent like every target: before appending, the file is scanned for a line with the same
 * `idempotencykey`, under a lock file (`<file>.lock`, created exclusively) so two processes
 * cannot both append the same event. A line that is not JSON (a writer killed mid-line) is
 * skipped by the scan and left in place.
 */
export interface FileAppendResult {
  duplicate: boolean;
  /** 1-based line of the event in the file. */
  line: number;
}

const LOCK_WAIT_MS = 10_000;
const STALE_LOCK_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` holding `<path>.lock`; a lock older than 30 s is from a dead writer and is broken. */
export async function withFileLock<T>(path: string, body: () => T): Promise<T> {
  const lock = `${path}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UserError(`Cannot write ${path}: ${code ?? String(error)}`);
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline)
        throw new UserError(
          `Timed out waiting for the lock ${lock}; remove it if no other autostack process is writing ${path}.`,
        );
      await sleep(20);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function findKeyInText(text: string, idempotencyKey: string): number | undefined {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    if (!raw || !raw.includes(idempotencyKey)) continue;
    try {
      const parsed = JSON.parse(raw) as { idempotencykey?: unknown };
      if (parsed.idempotencykey === idempotencyKey) return index + 1;
    } catch {
      // A torn line: not a match.
    }
  }
  return undefined;
}

/** Finds the line (1-based) holding an event with this idempotency key. */
export function findKeyInFile(path: string, idempotencyKey: string): number | undefined {
  return findKeyInText(readText(path), idempotencyKey);
}

function appendLine(path: string, text: string): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function appendEventToFile(path: string, event: CloudEvent): Promise<FileAppendResult> {
  return withFileLock(path, () => {
    const text = readText(path);
    const existing = findKeyInText(text, event.idempotencykey);
    if (existing !== undefined) return { duplicate: true, line: existing };
    // A torn last line (no newline) would glue onto ours: start on a fresh line.
    const prefix = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
    appendLine(path, `${prefix}${serializeEvent(event)}\n`);
    const line = (text + prefix).split('\n').length;
    return { duplicate: false, line };
  });
}
