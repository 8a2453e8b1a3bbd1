import type { Cluster, Redis } from 'ioredis';
import { type CloudEvent, streamEntryFields } from './cloud-event.js';
import { DEFAULT_DEDUPE_TTL_SECONDS, ledgerKey } from './redis-names.js';
import {
  explainRedisError,
  type RedisHandle,
  RedisTargetError,
  type StreamPublishOptions,
  withDeadline,
} from './redis.js';

/*
 * Batch publishing into a Redis stream (emit --batch): the idempotency of redis.ts' one-event
 * script, with many events per script call and many calls per pipeline.
 */

/**
 * The batch form of PUBLISH_SCRIPT, the same steps for each event in turn: KEYS = stream, then one
 * ledger key per event; ARGV = ttl, maxlen, fields per event, then every event's fields packed in
 * one string as `<bytes>:<value>` (see ScriptCalls). One call carries a group of events, so Redis
 * runs one script and the client builds, sends and parses one command per group instead of per
 * event. Returns how many events it added (the others were duplicates): a batch reports counts,
 * and per-event entry ids would only be parsed and dropped. Each event is checked against the
 * ledger as the script reaches it, so two lines with one key in the same group still add one entry.
 */
const PUBLISH_MANY_SCRIPT = `
local ttl = tonumber(ARGV[1])
local maxlen = tonumber(ARGV[2])
local width = tonumber(ARGV[3])
local packed = ARGV[4]
local at = 1
local added = 0
local fields = {}
for i = 2, #KEYS do
  for f = 1, width do
    local colon = string.find(packed, ':', at, true)
    local size = tonumber(string.sub(packed, at, colon - 1))
    fields[f] = string.sub(packed, colon + 1, colon + size)
    at = colon + size + 1
  end
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local id
    if maxlen and maxlen > 0 then
      id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(fields, 1, width))
    else
      id = redis.call('XADD', KEYS[1], '*', unpack(fields, 1, width))
    end
    redis.call('SET', KEYS[i], id, 'EX', ttl)
    added = added + 1
  end
end
return added
`;

/** Events per PUBLISH_MANY_SCRIPT call: Redis runs the group without serving others (about 3 ms). */
const PUBLISH_GROUP = 100;

interface ScriptedClient {
  pipeline(): {
    autostackPublishMany(numberOfKeys: number, ...keysThenArgs: Array<string | Buffer>): unknown;
    exec(): Promise<Array<[Error | null, unknown]> | null>;
  };
}

/** Registers the batch script on a client once (ioredis sends EVALSHA, and the script on NOSCRIPT). */
function withBatchScript(client: Redis | Cluster): ScriptedClient {
  if (!('autostackPublishMany' in client)) client.defineCommand('autostackPublishMany', { lua: PUBLISH_MANY_SCRIPT });
  return client as unknown as ScriptedClient;
}

/**
 * One PUBLISH_MANY_SCRIPT call, built once and kept for a re-send: numkeys, KEYS and ARGV, the
 * number of events, and the arena its packed fields live in.
 */
interface ScriptCall {
  args: [number, ...Array<string | Buffer>];
  events: number;
  arena: Buffer;
}

/** An arena holds a group's packed fields: 100 events of about 1.3 KB fit without growing. */
const ARENA_BYTES = 256 * 1024;

/**
 * Arenas that no command holds any more, for the next groups. Why: a call's bytes wait for Redis'
 * answer, long enough that a fresh string or Buffer per call is promoted to the old generation and
 * only freed by a full GC; V8 lets that garbage grow to several times the live set (issue 15:
 * 160-170 MB peak RSS at 100,000 events). Reused arenas keep what waits for Redis out of the heap
 * and fixed in size, so memory stays flat whatever the batch's size.
 */
class ArenaPool {
  private free: Buffer[] = [];

  constructor(private readonly limit: number) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(ARENA_BYTES);
  }

  give(arena: Buffer): void {
    if (this.free.length < this.limit) this.free.push(arena);
  }
}

/**
 * Turns events into PUBLISH_MANY_SCRIPT calls as they arrive. Only the ledger keys stay strings;
 * each event's stream fields are written into the group's arena as `<bytes>:<value>` and handed
 * to Redis as one Buffer argument per call, which the script unpacks. Nothing of an event outlives
 * its line on the heap (a retained event would also pin its parsed data).
 */
class ScriptCalls {
  private keys: string[] = [];
  private arena: Buffer;
  private used = 0;
  private width = 0;

  constructor(
    private readonly options: StreamPublishOptions,
    private readonly arenas: ArenaPool,
  ) {
    this.arena = arenas.take();
    this.reset();
  }

  /** Adds an event; returns the finished call when its group is full. */
  add(event: CloudEvent): ScriptCall | undefined {
    this.keys.push(ledgerKey(this.options.stream, event.idempotencykey));
    const fields = streamEntryFields(event);
    this.width = fields.length;
    for (const field of fields) this.pack(field);
    return this.keys.length > PUBLISH_GROUP ? this.flush() : undefined;
  }

  /** The call for the events added since the last one, if any. */
  flush(): ScriptCall | undefined {
    const events = this.keys.length - 1;
    if (events === 0) return undefined;
    const call: ScriptCall = {
      args: [
        this.keys.length,
        ...this.keys,
        String(this.options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS),
        String(this.options.maxLen ?? 0),
        String(this.width),
        this.arena.subarray(0, this.used),
      ],
      events,
      arena: this.arena,
    };
    this.arena = this.arenas.take();
    this.reset();
    return call;
  }

  private pack(field: string): void {
    const size = Buffer.byteLength(field);
    const prefix = `${size}:`;
    const needed = this.used + prefix.length + size;
    if (needed > this.arena.length) {
      // A group of large events: a larger arena for this group, which the pool then keeps.
      const larger = Buffer.allocUnsafeSlow(Math.max(this.arena.length * 2, needed));
      this.arena.copy(larger, 0, 0, this.used);
      this.arena = larger;
    }
    this.used += this.arena.write(prefix, this.used, 'latin1');
    this.used += this.arena.write(field, this.used, 'utf8');
  }

  private reset(): void {
    this.keys = [this.options.stream];
    this.used = 0;
  }
}

export interface BatchProgress {
  published: number;
  duplicates: number;
  retriedRounds: number;
}

/** Counts a confirmed call's events: the script answers how many it added. */
function countReply(call: ScriptCall, added: unknown, progress: BatchProgress): void {
  progress.published += Number(added);
  progress.duplicates += call.events - Number(added);
}

/**
 * Sends script calls as one pipeline (EVALSHA; ioredis loads the script when a server answers
 * NOSCRIPT, e.g. after a restart). Calls whose reply is an error or missing are sent again in the
 * next round until no call has been confirmed for `timeoutMs`: safe, because the script is
 * idempotent, so an event that was applied but whose reply was lost comes back as a duplicate.
 * Each pipeline's exec goes into `sent`: a round given up on may still be queued in the client.
 */
async function publishCalls(
  handle: RedisHandle,
  calls: ScriptCall[],
  options: StreamPublishOptions & { onRound?: ((progress: BatchProgress) => void) | undefined },
  sent: Array<Promise<unknown>>,
): Promise<BatchProgress> {
  const progress: BatchProgress = { published: 0, duplicates: 0, retriedRounds: 0 };
  let deadline = Date.now() + options.timeoutMs;
  let pending = calls;
  let lastError: unknown;
  while (pending.length > 0) {
    const pipeline = withBatchScript(handle.client).pipeline();
    for (const call of pending) pipeline.autostackPublishMany(...call.args);
    let replies: Array<[Error | null, unknown]> | null;
    const exec = pipeline.exec();
    sent.push(exec);
    try {
      replies = await withDeadline(
        exec,
        Math.max(1000, deadline - Date.now()),
        `publishing a batch to ${handle.display}`,
      );
    } catch (error) {
      lastError = error;
      replies = null;
    }
    const failed = pending.filter((call, position) => {
      const reply = replies?.[position];
      if (!reply || reply[0]) {
        if (reply?.[0]) lastError = reply[0];
        return true;
      }
      // Progress: the time budget is for Redis being unavailable, not for the batch's size.
      deadline = Date.now() + options.timeoutMs;
      countReply(call, reply[1], progress);
      return false;
    });
    pending = failed;
    if (pending.length === 0) break;
    const error = explainRedisError(lastError, handle);
    if (!error.transient || Date.now() >= deadline) {
      const unconfirmed = pending.reduce((sum, call) => sum + call.events, 0);
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
  /**
   * Pipelines in flight when the next group is read (default 4): enough to keep Redis busy, bounded
   * for memory. Within a group up to twice as many, so that a group is packed before any wait.
   */
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
  const arenas = new ArenaPool((window * 2 + 1) * callsPerPipeline + 1);
  const send = (calls: ScriptCall[]): void => {
    const onRound = (round: BatchProgress): void => {
      total.retriedRounds += 1;
      options.onRound?.({ ...total, published: total.published + round.published });
    };
    const sent: Array<Promise<unknown>> = [];
    const sending = publishCalls(handle, calls, { ...options, onRound }, sent)
      .then((progress) => {
        total.published += progress.published;
        total.duplicates += progress.duplicates;
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        inFlight.delete(sending);
        // An arena is reused only once no command that points into it can still be written.
        void Promise.allSettled(sent).then(() => {
          for (const call of calls) arenas.give(call.arena);
        });
      });
    inFlight.add(sending);
  };
  const builder = new ScriptCalls(options, arenas);
  let pipeline: ScriptCall[] = [];
  const drain = async (limit: number): Promise<void> => {
    while (inFlight.size >= limit && failure === undefined) await Promise.race(inFlight);
  };
  // Packs a group's events from `from` into calls and sends full pipelines; returns where it
  // stopped: the group's end, or earlier when a very large group must wait for the window.
  const pack = (group: CloudEvent[], from: number): number => {
    for (let at = from; at < group.length; at++) {
      total.events += 1;
      const call = builder.add(group[at] as CloudEvent);
      if (call === undefined || pipeline.push(call) < callsPerPipeline) continue;
      send(pipeline);
      pipeline = [];
      if (inFlight.size >= window * 2) return at + 1;
    }
    return group.length;
  };
  for await (let group of events) {
    let at = pack(group, 0);
    while (at < group.length && failure === undefined) {
      await drain(window * 2);
      at = pack(group, at);
    }
    // The window is kept between groups, once a group's events are all packed and let go of: an
    // event still held while the command waits for Redis would be promoted (issue 15).
    group = [];
    await drain(window);
    if (failure !== undefined) break;
  }
  const last = builder.flush();
  if (last !== undefined) pipeline.push(last);
  if (failure === undefined && pipeline.length > 0) send(pipeline);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return total;
}
