import type { Cluster, Redis } from 'ioredis';
import { type CloudEvent, streamEntryFields } from './envelope.js';
import {
  DEFAULT_DEDUPE_TTL_SECONDS,
  explainRedisError,
  ledgerKey,
  type RedisHandle,
  RedisTargetError,
  type StreamPublishOptions,
  type StreamPublishResult,
  toResult,
  withDeadline,
} from './redis.js';

/*
 * Batch publishing into a Redis stream (emit --batch): the idempotency of redis.ts' one-event
 * script, with many events per script call and many calls per pipeline.
 */

/**
 * The batch form of PUBLISH_SCRIPT, the same steps for each event in turn: KEYS = stream, then one
 * ledger key per event; ARGV = ttl, maxlen, fields per event, then each event's fields. One call
 * carries a group of events, so Redis runs one script and the client builds, sends and parses one
 * command per group instead of per event. Returns {added, id} pairs, in order. Each event is
 * checked against the ledger as the script reaches it, so two lines with one key in the same
 * group still add one entry.
 */
const PUBLISH_MANY_SCRIPT = `
local ttl = tonumber(ARGV[1])
local maxlen = tonumber(ARGV[2])
local width = tonumber(ARGV[3])
local out = {}
for i = 2, #KEYS do
  local existing = redis.call('GET', KEYS[i])
  if existing then
    out[#out + 1] = 0
    out[#out + 1] = existing
  else
    local first = 4 + (i - 2) * width
    local id
    if maxlen and maxlen > 0 then
      id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, first, first + width - 1))
    else
      id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, first, first + width - 1))
    end
    redis.call('SET', KEYS[i], id, 'EX', ttl)
    out[#out + 1] = 1
    out[#out + 1] = id
  end
end
return out
`;

/** Events per PUBLISH_MANY_SCRIPT call: Redis runs the group without serving others (about 3 ms). */
const PUBLISH_GROUP = 100;

interface ScriptedClient {
  pipeline(): {
    autostackPublishMany(numberOfKeys: number, ...keysThenArgs: string[]): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
}

/** Registers the batch script on a client once (ioredis sends EVALSHA, and the script on NOSCRIPT). */
function withBatchScript(client: Redis | Cluster): ScriptedClient {
  if (!('autostackPublishMany' in client)) client.defineCommand('autostackPublishMany', { lua: PUBLISH_MANY_SCRIPT });
  return client as unknown as ScriptedClient;
}

/** numkeys, KEYS and ARGV of one PUBLISH_MANY_SCRIPT call for the events at `indices`. */
function publishManyArgs(
  events: CloudEvent[],
  indices: number[],
  options: StreamPublishOptions,
): [number, ...string[]] {
  const keys = [options.stream];
  const fields: string[] = [];
  for (const index of indices) {
    const event = events[index] as CloudEvent;
    keys.push(ledgerKey(options.stream, event.idempotencykey));
    fields.push(...streamEntryFields(event));
  }
  const width = fields.length / indices.length;
  return [
    keys.length,
    ...keys,
    String(options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS),
    String(options.maxLen ?? 0),
    String(width),
    ...fields,
  ];
}

export interface BatchProgress {
  published: number;
  duplicates: number;
  retriedRounds: number;
}

/**
 * Publishes many events through pipelines of the same script (EVALSHA; ioredis loads the script
 * when a server answers NOSCRIPT, e.g. after a restart). Entries whose reply is an error are
 * sent again in the next round until no entry has been confirmed for `timeoutMs`: safe, because the script is
 * idempotent, so an entry that was applied but whose reply was lost comes back as a duplicate.
 */
export async function publishBatch(
  handle: RedisHandle,
  events: CloudEvent[],
  options: StreamPublishOptions & { chunkSize?: number; onRound?: (progress: BatchProgress) => void },
): Promise<{ results: StreamPublishResult[]; progress: BatchProgress }> {
  const results: Array<StreamPublishResult | undefined> = Array.from({ length: events.length }, () => undefined);
  const progress: BatchProgress = { published: 0, duplicates: 0, retriedRounds: 0 };
  let deadline = Date.now() + options.timeoutMs;
  const chunkSize = options.chunkSize ?? 500;
  let pending = events.map((_, index) => index);
  let lastError: unknown;
  while (pending.length > 0) {
    const failed: number[] = [];
    for (let offset = 0; offset < pending.length; offset += chunkSize) {
      const chunk = pending.slice(offset, offset + chunkSize);
      const groups: number[][] = [];
      for (let start = 0; start < chunk.length; start += PUBLISH_GROUP)
        groups.push(chunk.slice(start, start + PUBLISH_GROUP));
      const pipeline = withBatchScript(handle.client).pipeline();
      for (const group of groups) pipeline.autostackPublishMany(...publishManyArgs(events, group, options));
      let replies: Array<[Error | null, unknown]> | null;
      try {
        replies = await withDeadline(
          pipeline.exec(),
          Math.max(1000, deadline - Date.now()),
          `publishing a batch to ${handle.display}`,
        );
      } catch (error) {
        lastError = error;
        replies = null;
      }
      groups.forEach((group, position) => {
        const reply = replies?.[position];
        if (!reply || reply[0]) {
          if (reply?.[0]) lastError = reply[0];
          failed.push(...group);
          return;
        }
        // Progress: the time budget is for Redis being unavailable, not for the batch's size.
        deadline = Date.now() + options.timeoutMs;
        const pairs = reply[1] as unknown[];
        group.forEach((index, at) => {
          const result = toResult([pairs[2 * at], pairs[2 * at + 1]]);
          results[index] = result;
          if (result.duplicate) progress.duplicates += 1;
          else progress.published += 1;
        });
      });
    }
    pending = failed;
    if (pending.length === 0) break;
    const error = explainRedisError(lastError, handle);
    if (!error.transient || Date.now() >= deadline) {
      throw new RedisTargetError(
        `${pending.length} of ${events.length} event(s) were not confirmed: ${error.message}`,
        error.transient,
      );
    }
    progress.retriedRounds += 1;
    options.onRound?.(progress);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { results: results as StreamPublishResult[], progress };
}
