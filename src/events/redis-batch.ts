import type { Cluster, Redis } from 'ioredis';
import { type CloudEvent, streamEntryFields } from './envelope.js';
import {
  DEFAULT_DEDUPE_TTL_SECONDS,
  explainRedisError,
  ledgerKey,
  type RedisHandle,
  RedisTargetError,
  type StreamPublishOptions,
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

/** numkeys, KEYS and ARGV of one PUBLISH_MANY_SCRIPT call, built once and kept for a re-send. */
type ScriptCall = [number, ...string[]];

/**
 * Turns events into PUBLISH_MANY_SCRIPT calls as they arrive. Only the call's strings (ledger key,
 * envelope JSON, type, id, key) are kept, not the events: what waits for Redis' reply is as small
 * as it can be, which is what keeps the heap flat (a retained event also pins its parsed data).
 */
class ScriptCalls {
  private keys: string[] = [];
  private fields: string[] = [];

  constructor(private readonly options: StreamPublishOptions) {
    this.reset();
  }

  /** Adds an event; returns the finished call when its group is full. */
  add(event: CloudEvent): ScriptCall | undefined {
    this.keys.push(ledgerKey(this.options.stream, event.idempotencykey));
    for (const field of streamEntryFields(event)) this.fields.push(field);
    return this.keys.length > PUBLISH_GROUP ? this.flush() : undefined;
  }

  /** The call for the events added since the last one, if any. */
  flush(): ScriptCall | undefined {
    const events = this.keys.length - 1;
    if (events === 0) return undefined;
    const call: ScriptCall = [
      this.keys.length,
      ...this.keys,
      String(this.options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS),
      String(this.options.maxLen ?? 0),
      String(this.fields.length / events),
      ...this.fields,
    ];
    this.reset();
    return call;
  }

  private reset(): void {
    this.keys = [this.options.stream];
    this.fields = [];
  }
}

export interface BatchProgress {
  published: number;
  duplicates: number;
  retriedRounds: number;
}

/** Counts a confirmed call's {added, id} pairs. */
function countReplies(pairs: unknown[], progress: BatchProgress): void {
  for (let at = 0; at < pairs.length; at += 2) {
    if (toResult([pairs[at], pairs[at + 1]]).duplicate) progress.duplicates += 1;
    else progress.published += 1;
  }
}

/**
 * Sends script calls as one pipeline (EVALSHA; ioredis loads the script when a server answers
 * NOSCRIPT, e.g. after a restart). Calls whose reply is an error or missing are sent again in the
 * next round until no call has been confirmed for `timeoutMs`: safe, because the script is
 * idempotent, so an event that was applied but whose reply was lost comes back as a duplicate.
 */
async function publishCalls(
  handle: RedisHandle,
  calls: ScriptCall[],
  options: StreamPublishOptions & { onRound?: ((progress: BatchProgress) => void) | undefined },
): Promise<BatchProgress> {
  const progress: BatchProgress = { published: 0, duplicates: 0, retriedRounds: 0 };
  let deadline = Date.now() + options.timeoutMs;
  let pending = calls;
  let lastError: unknown;
  while (pending.length > 0) {
    const pipeline = withBatchScript(handle.client).pipeline();
    for (const call of pending) pipeline.autostackPublishMany(...call);
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
    const failed = pending.filter((_, position) => {
      const reply = replies?.[position];
      if (!reply || reply[0]) {
        if (reply?.[0]) lastError = reply[0];
        return true;
      }
      // Progress: the time budget is for Redis being unavailable, not for the batch's size.
      deadline = Date.now() + options.timeoutMs;
      countReplies(reply[1] as unknown[], progress);
      return false;
    });
    pending = failed;
    if (pending.length === 0) break;
    const error = explainRedisError(lastError, handle);
    if (!error.transient || Date.now() >= deadline) {
      const unconfirmed = pending.reduce((sum, call) => sum + call[0] - 1, 0);
      throw new RedisTargetError(`${unconfirmed} event(s) were not confirmed: ${error.message}`, error.transient);
    }
    progress.retriedRounds += 1;
    options.onRound?.(progress);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return progress;
}

export interface StreamedBatchOptions extends StreamPublishOptions {
  /** Events per pipeline (default 500). */
  chunkSize?: number;
  /** Pipelines in flight at once (default 4): enough to keep Redis busy, bounded for memory. */
  window?: number;
  onRound?: (progress: BatchProgress) => void;
}

/**
 * Publishes an event stream into a Redis stream with a bounded window of pipelines in flight.
 * The publish script dedupes on the idempotency key, a call that Redis did not confirm is re-sent
 * (duplicates answer "duplicate", never add twice) until the time budget for an unavailable Redis
 * runs out, and the first pipeline that fails for good stops reading and fails the command.
 */
export async function publishEventStream(
  handle: RedisHandle,
  events: AsyncIterable<CloudEvent[]> | Iterable<CloudEvent[]>,
  options: StreamedBatchOptions,
): Promise<BatchProgress & { events: number }> {
  const callsPerPipeline = Math.max(1, Math.round((options.chunkSize ?? 500) / PUBLISH_GROUP));
  const window = options.window ?? 4;
  const total = { events: 0, published: 0, duplicates: 0, retriedRounds: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const send = (calls: ScriptCall[]): void => {
    const onRound = (round: BatchProgress): void => {
      total.retriedRounds += 1;
      options.onRound?.({ ...total, published: total.published + round.published });
    };
    const sending = publishCalls(handle, calls, { ...options, onRound })
      .then((progress) => {
        total.published += progress.published;
        total.duplicates += progress.duplicates;
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };
  const builder = new ScriptCalls(options);
  let pipeline: ScriptCall[] = [];
  reading: for await (const group of events) {
    for (const event of group) {
      total.events += 1;
      const call = builder.add(event);
      if (call === undefined || pipeline.push(call) < callsPerPipeline) continue;
      send(pipeline);
      pipeline = [];
      while (inFlight.size >= window && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break reading;
    }
  }
  const last = builder.flush();
  if (last !== undefined) pipeline.push(last);
  if (failure === undefined && pipeline.length > 0) send(pipeline);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return total;
}
