import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Log } from '../io/io.js';
import type { CacheStore } from '../ports/ports.js';
import { errorMessage } from '../shared/errors.js';
import { isoTime } from '../shared/iso-time.js';
import { redactDeep } from '../shared/redact.js';
import { type CloudEvent, isCloudEvent } from './cloud-event.js';
import { withFileLock } from './file-target.js';

/**
 * The outbox: events that could not be delivered to every target within the retry bound. The
 * step that fails to deliver writes the event here (the exact envelope, same id and time) and
 * fails; the next attempt of the step finds its event here by id and publishes that envelope, and
 * every target deduplicates by idempotency key, so nothing is lost and nothing doubles.
 *
 * Where it lives:
 * - `.autostack/outbox.jsonl` in the workspace (input `outbox`, DEFAULT_OUTBOX in emit.ts): survives on the same machine
 *   (the CLI, self-hosted runners, a re-run of the step in the same job);
 * - on a GitHub runner, also the Actions cache, one entry per event (`autostack-outbox-<id>`):
 *   a re-run attempt is a fresh machine but the same workflow run and ref, so it restores it;
 * - a copy in the run's directory (`outbox.jsonl` beside the journal), which record-run's post
 *   step uploads with the run record, so what was pending is visible in the artifact.
 */
const CACHE_DIRECTORY = '.autostack/outbox-cache';
const FORMAT = 'autostack.outbox/v1';

/** One outbox line. Checked by hand (isOutboxEntry): a line that is not one is dropped, not explained. */
export interface OutboxEntry {
  format: typeof FORMAT;
  event: CloudEvent;
  /** Targets the event had not reached (all targets are retried; this is for people). */
  pending: string[];
  error: string;
  at: string;
}

function isOutboxEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    entry.format === FORMAT &&
    isCloudEvent(entry.event) &&
    Array.isArray(entry.pending) &&
    entry.pending.every((target) => typeof target === 'string') &&
    typeof entry.error === 'string' &&
    typeof entry.at === 'string'
  );
}

function readEntries(path: string): OutboxEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const entries: OutboxEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isOutboxEntry(parsed)) entries.push(parsed);
    } catch {
      // A torn line: ignored, the file is rewritten without it on the next change.
    }
  }
  return entries;
}

function rewrite(path: string, entries: OutboxEntry[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  renameSync(temp, path);
}

export function listOutbox(path: string): OutboxEntry[] {
  return readEntries(path);
}

export function findInOutbox(path: string, eventId: string): OutboxEntry | undefined {
  return readEntries(path).find((entry) => entry.event.id === eventId);
}

export async function addToOutbox(
  path: string,
  event: CloudEvent,
  pending: string[],
  error: string,
): Promise<OutboxEntry> {
  const entry: OutboxEntry = redactDeep({ format: FORMAT, event, pending, error, at: isoTime() });
  await withFileLock(path, () =>
    rewrite(path, [...readEntries(path).filter((other) => other.event.id !== event.id), entry]),
  );
  return entry;
}

export async function removeFromOutbox(path: string, eventId: string): Promise<void> {
  await withFileLock(path, () => {
    const entries = readEntries(path);
    if (entries.some((entry) => entry.event.id === eventId))
      rewrite(
        path,
        entries.filter((entry) => entry.event.id !== eventId),
      );
  });
}

/** The copy beside the run journal that record-run uploads with the record. */
export function recordInRunDirectory(journalPath: string | undefined, entry: OutboxEntry): string | undefined {
  if (!journalPath) return undefined;
  const path = join(dirname(journalPath), 'outbox.jsonl');
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(entry)}\n`);
    return path;
  } catch {
    return undefined;
  }
}

function cacheKey(eventId: string): string {
  return `autostack-outbox-${eventId}`;
}

function cachePath(eventId: string): string {
  return `${CACHE_DIRECTORY}/${eventId}.json`;
}

/** Saves an outbox entry to the Actions cache (runner only). Never throws. */
export async function saveOutboxToCache(
  cache: CacheStore,
  entry: OutboxEntry,
  workspace: string,
  log: Log,
): Promise<boolean> {
  const relative = cachePath(entry.event.id);
  try {
    mkdirSync(join(workspace, CACHE_DIRECTORY), { recursive: true });
    writeFileSync(join(workspace, relative), JSON.stringify(entry));
    return await cache.save([relative], cacheKey(entry.event.id));
  } catch (error) {
    log.warning(
      `Could not save the outbox entry to the Actions cache (${errorMessage(error)}); it is kept in the local outbox and the run record.`,
    );
    return false;
  }
}

/** Restores this event's outbox entry from the Actions cache, if an earlier attempt saved one. */
export async function restoreOutboxFromCache(
  cache: CacheStore,
  eventId: string,
  workspace: string,
  log: Log,
): Promise<OutboxEntry | undefined> {
  const relative = cachePath(eventId);
  try {
    const hit = await cache.restore([relative], cacheKey(eventId));
    if (!hit) return undefined;
    const parsed: unknown = JSON.parse(readFileSync(join(workspace, relative), 'utf8'));
    return isOutboxEntry(parsed) && parsed.event.id === eventId ? parsed : undefined;
  } catch (error) {
    log.warning(
      `Could not read the outbox from the Actions cache (${errorMessage(error)}); publishing a fresh envelope with the same id.`,
    );
    return undefined;
  }
}
