import type { StepIo } from '../io/io.js';
import type { JournaledStep } from '../runs/step.js';
import type { CloudEvent } from './cloud-event.js';
import { type Delivery, type EmitSpec, journal, toFailure } from './emit.js';
import { openRedis, publishToStream, type RedisHandle, RedisTargetError } from './redis.js';

/** The Redis Streams target of an emit (emit.ts loads this file only when a redis-url is set). */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes the event; the open handle is returned for the dispatch ledger, the failure recorded. */
export async function deliverToRedis(
  spec: EmitSpec,
  delivery: Delivery,
  io: StepIo,
  step: JournaledStep | undefined,
  deadline: number,
): Promise<RedisHandle | undefined> {
  try {
    const published = await publishWithRetries(spec, delivery.event, io, deadline);
    delivery.streamEntryId = published.entryId;
    delivery.outcomes.push({
      target: 'redis',
      where: `${published.display} ${spec.stream}`,
      duplicate: published.duplicate,
      entryId: published.entryId,
    });
    journal(step, 'redis', spec.stream, 'publish', delivery.event.id, published.duplicate);
    io.info(
      `${published.duplicate ? 'Already in' : 'Published to'} Redis stream ${spec.stream} as entry ${published.entryId}${published.duplicate ? ' (duplicate: nothing added)' : ''}.`,
    );
    // A duplicate: what consumers saw is the stored envelope (its time), so report and
    // dispatch that one when the entry is still there (it may have been trimmed).
    if (published.duplicate)
      delivery.event =
        (await readStoredEvent(published.handle, spec.stream, published.entryId, delivery.event)) ?? delivery.event;
    return published.handle;
  } catch (error) {
    delivery.failures.push(toFailure('redis', error, error instanceof RedisTargetError && error.transient));
    return undefined;
  }
}

async function readStoredEvent(
  handle: RedisHandle,
  stream: string,
  entryId: string,
  expected: CloudEvent,
): Promise<CloudEvent | undefined> {
  try {
    const [entry] = await handle.client.xrange(stream, entryId, entryId);
    if (!entry) return undefined;
    // The envelope's zod schema loads only here, for an entry another writer may have made.
    const { parseStreamEntry } = await import('./envelope.js');
    const stored = parseStreamEntry(entry[1]);
    return stored.id === expected.id ? stored : undefined;
  } catch {
    return undefined;
  }
}

async function publishWithRetries(
  spec: EmitSpec,
  event: CloudEvent,
  io: StepIo,
  deadline: number,
): Promise<{ entryId: string; duplicate: boolean; display: string; handle: RedisHandle }> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= spec.attempts; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    let handle: RedisHandle | undefined;
    try {
      handle = await openRedis(spec.redisUrl as string, { timeoutMs: remaining });
      const result = await publishToStream(handle, event, {
        stream: spec.stream,
        maxLen: spec.maxLen,
        dedupeTtlSeconds: spec.dedupeTtlSeconds,
        timeoutMs: Math.max(1000, deadline - Date.now()),
      });
      return { ...result, display: handle.display, handle };
    } catch (error) {
      await handle?.close();
      lastError = error;
      if (!(error instanceof RedisTargetError) || !error.transient) throw error;
      if (attempt < spec.attempts && Date.now() < deadline) {
        const wait = Math.min(500 * 2 ** (attempt - 1), Math.max(0, deadline - Date.now()));
        io.warning(
          `Redis publish attempt ${attempt} of ${spec.attempts} failed (${error.message}); retrying in ${(wait / 1000).toFixed(1)} s.`,
        );
        await sleep(wait);
      }
    }
  }
  if (lastError instanceof RedisTargetError) {
    throw new RedisTargetError(
      `${lastError.message} (gave up after ${spec.attempts} attempt(s) within ${Math.round(spec.timeoutMs / 1000)} s)`,
      true,
    );
  }
  throw new RedisTargetError(`Redis publish did not finish within ${Math.round(spec.timeoutMs / 1000)} s`, true);
}
