import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Log } from '../io/io.js';
import type { CacheStore } from '../ports/ports.js';
import { errorMessage } from '../shared/errors.js';
import { isoTime } from '../shared/iso-time.js';
import { sha256Hex } from '../shared/sha256.js';
import { ledgerKey } from './redis-names.js';
import { type RedisHandle, readMarker, writeMarker } from './redis.js';

/**
 * GitHub's dispatch endpoints have no idempotency key: the same POST twice starts two runs. So
 * emit-event keeps a ledger of what it dispatched, keyed by idempotency key and target
 * (repository + workflow), checked before and written after each dispatch:
 *
 * - Redis, when the step also publishes to Redis: a marker in the stream's hash slot
 *   (`dispatchMarkerKey`), with the same TTL as the publish ledger. The relay writes and reads
 *   the same markers, so an event that emit-event dispatched and a relay route sends to the same
 *   target again is dispatched once;
 * - the Actions cache, on a runner: an entry `autostack-dispatched-<hash>`; cache entries
 *   outlive the job and are visible to every re-run attempt of the workflow run (same ref);
 * - a local JSON Lines file (`.autostack/dispatch-ledger.jsonl`), always: covers the CLI and
 *   repeated steps on one machine.
 *
 * A marker in any of them means "already dispatched". The window that remains: the process dies
 * after GitHub accepted the dispatch and before the marker is written; a re-run then dispatches
 * again (at-least-once). The child run can still recognise the repeat by the CloudEvent id it
 * receives (record-run keeps it as `trigger.eventId`).
 */
export interface DispatchLedgerOptions {
  log: Log;
  workspace: string;
  localPath: string;
  redis?: { handle: RedisHandle; stream: string; ttlSeconds: number; timeoutMs: number } | undefined;
  /** The Actions cache (on a runner). */
  cache: CacheStore | undefined;
}

export interface LedgerHit {
  where: 'redis' | 'actions-cache' | 'file';
  value: string;
}

/** What a dispatch goes to: one identity whoever dispatches (emit-event or a relay route). */
export interface DispatchTargetIdentity {
  kind: 'repository_dispatch' | 'workflow_dispatch';
  repository: string;
  workflow?: string | undefined;
  ref?: string | undefined;
  /** repository_dispatch: the event_type sent (undefined: the event's own type). */
  eventType?: string | undefined;
}

export function dispatchTargetId(target: DispatchTargetIdentity): string {
  const at =
    target.kind === 'workflow_dispatch'
      ? `${target.workflow ?? ''}@${target.ref ?? '(default)'}`
      : (target.eventType ?? '(type)');
  return sha256Hex(`${target.kind}\u0000${target.repository.toLowerCase()}\u0000${at}`).slice(0, 12);
}

/** The one name of an (idempotency key, target) pair: bounded length whatever the key. */
function markerId(key: string, targetId: string): string {
  return sha256Hex(`${targetId}\u0000${key}`).slice(0, 40);
}

/** The Redis marker of a dispatch, in the stream's hash slot (see ledgerKey). */
export function dispatchMarkerKey(stream: string, key: string, targetId: string): string {
  return ledgerKey(stream, markerId(key, targetId), 'dispatched');
}

function cacheKey(key: string, targetId: string): string {
  return `autostack-dispatched-${markerId(key, targetId)}`;
}

function cachePath(key: string, targetId: string): string {
  return `.autostack/dispatch-ledger/${markerId(key, targetId)}`;
}

function readLocal(path: string, key: string, targetId: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.includes(key)) continue;
    try {
      const entry = JSON.parse(line) as { key?: string; target?: string; value?: string };
      if (entry.key === key && entry.target === targetId) return entry.value ?? 'dispatched';
    } catch {
      // Torn line.
    }
  }
  return undefined;
}

export async function lookupDispatch(
  key: string,
  targetId: string,
  options: DispatchLedgerOptions,
): Promise<LedgerHit | undefined> {
  const local = readLocal(options.localPath, key, targetId);
  if (local) return { where: 'file', value: local };
  if (options.redis) {
    const { handle, stream, timeoutMs } = options.redis;
    try {
      const value = await readMarker(handle, dispatchMarkerKey(stream, key, targetId), timeoutMs);
      if (value) return { where: 'redis', value };
    } catch (error) {
      options.log.warning(`Could not read the dispatch ledger in Redis (${errorMessage(error)}).`);
    }
  }
  if (options.cache) {
    try {
      const hit = await options.cache.restore([cachePath(key, targetId)], cacheKey(key, targetId), {
        lookupOnly: true,
      });
      if (hit) return { where: 'actions-cache', value: 'dispatched' };
    } catch (error) {
      options.log.warning(`Could not read the dispatch ledger in the Actions cache (${errorMessage(error)}).`);
    }
  }
  return undefined;
}

export async function recordDispatch(
  key: string,
  targetId: string,
  value: string,
  options: DispatchLedgerOptions,
): Promise<void> {
  try {
    mkdirSync(dirname(options.localPath), { recursive: true });
    appendFileSync(options.localPath, `${JSON.stringify({ key, target: targetId, value, at: isoTime() })}\n`);
  } catch (error) {
    options.log.warning(`Could not write the local dispatch ledger ${options.localPath} (${errorMessage(error)}).`);
  }
  if (options.redis) {
    const { handle, stream, ttlSeconds, timeoutMs } = options.redis;
    try {
      await writeMarker(handle, dispatchMarkerKey(stream, key, targetId), value, ttlSeconds, timeoutMs);
    } catch (error) {
      options.log.warning(
        `Could not write the dispatch ledger in Redis (${errorMessage(error)}); a re-run may dispatch again.`,
      );
    }
  }
  if (options.cache) {
    try {
      const relative = cachePath(key, targetId);
      mkdirSync(join(options.workspace, dirname(relative)), { recursive: true });
      writeFileSync(join(options.workspace, relative), value);
      await options.cache.save([relative], cacheKey(key, targetId));
    } catch (error) {
      options.log.warning(`Could not write the dispatch ledger in the Actions cache (${errorMessage(error)}).`);
    }
  }
}
