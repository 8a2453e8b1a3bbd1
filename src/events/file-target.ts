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

/** The file's bytes, not decoded: the duplicate scan looks for the key's bytes (empty when there is no file yet). */
function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

const NEWLINE = 0x0a;

/** Whether one line of the file is an event with this key (a torn line, not JSON, is not). */
function isEventWithKey(raw: string, idempotencyKey: string): boolean {
  try {
    return (JSON.parse(raw) as { idempotencykey?: unknown }).idempotencykey === idempotencyKey;
  } catch {
    return false;
  }
}

/**
 * The key as an event line holds it: JSON-escaped (`"`, `\`, controls and lone surrogates), as
 * serializeEvent wrote it. Only lines that hold this text are parsed.
 */
function keyInLine(idempotencyKey: string): string {
  return JSON.stringify(idempotencyKey).slice(1, -1);
}

/** The line (1-based) of the first event with this key in the decoded text. */
export function findKeyInText(text: string, idempotencyKey: string): number | undefined {
  const needle = keyInLine(idempotencyKey);
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index];
    if (raw && raw.includes(needle) && isEventWithKey(raw, idempotencyKey)) return index + 1;
  }
  return undefined;
}

function newlinesIn(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = bytes.indexOf(NEWLINE, from); at !== -1 && at < to; at = bytes.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/**
 * findKeyInText's answer without decoding or splitting the file: the key's bytes are searched
 * for, and only a line that holds them is decoded and parsed. For a key that JSON writes in ASCII:
 * an ASCII byte decodes to itself whatever surrounds it (a broken UTF-8 sequence never takes one
 * in), so the bytes hold it on exactly the lines the text does. Any other key takes the text path.
 * test/property/file-target.test.ts holds the two to the same answers.
 */
export function findKeyInBytes(bytes: Buffer, idempotencyKey: string): number | undefined {
  const text = keyInLine(idempotencyKey);
  const needle = Buffer.from(text, 'utf8');
  // As many bytes as characters: all ASCII.
  if (needle.length === 0 || needle.length !== text.length)
    return findKeyInText(bytes.toString('utf8'), idempotencyKey);
  let line = 1;
  let counted = 0; // newlines before `counted` are in `line`
  let hit = bytes.indexOf(needle);
  while (hit !== -1) {
    const start = bytes.lastIndexOf(NEWLINE, hit) + 1;
    const newline = bytes.indexOf(NEWLINE, hit + needle.length);
    const end = newline === -1 ? bytes.length : newline;
    line += newlinesIn(bytes, counted, start);
    counted = start;
    if (isEventWithKey(bytes.toString('utf8', start, end), idempotencyKey)) return line;
    hit = newline === -1 ? -1 : bytes.indexOf(needle, newline + 1);
  }
  return undefined;
}

/** Finds the line (1-based) holding an event with this idempotency key. */
export function findKeyInFile(path: string, idempotencyKey: string): number | undefined {
  return findKeyInBytes(readBytes(path), idempotencyKey);
}

/** Where an appended event lands: a torn last line (no newline) would glue onto it, so it starts a fresh line. */
export function appendPosition(bytes: Buffer): { prefix: string; line: number } {
  const prefix = bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE ? '\n' : '';
  return { prefix, line: newlinesIn(bytes, 0, bytes.length) + prefix.length + 1 };
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
    const bytes = readBytes(path);
    const existing = findKeyInBytes(bytes, event.idempotencykey);
    if (existing !== undefined) return { duplicate: true, line: existing };
    const { prefix, line } = appendPosition(bytes);
    appendLine(path, `${prefix}${serializeEvent(event)}\n`);
    return { duplicate: false, line };
  });
}
