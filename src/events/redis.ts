import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { type CloudEvent, streamEntryFields } from './cloud-event.js';
import { DEFAULT_DEDUPE_TTL_SECONDS, ledgerKey } from './redis-names.js';
import { type ParsedRedisUrl, parseRedisUrl } from './redis-url.js';

// URL parsing lives in redis-url.ts; stream names, defaults and ledger keys in redis-names.ts.

/**
 * Redis Streams target.
 *
 * Connection: `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). The password
 * is registered as a secret before anything can fail, because Redis and ioredis errors can echo
 * AUTH arguments. Connecting is bounded: a few reconnect attempts with backoff inside the
 * operation's deadline, then the step fails with what went wrong (never hangs for ioredis'
 * defaults of 20 retries a command and unbounded reconnects). A server with
 * `cluster_enabled:1` is detected on first contact and reopened with ioredis' Cluster client.
 *
 * Publish is one server-side Lua script, so the idempotency check and the XADD are atomic and a
 * command ioredis re-sends after a reconnect cannot add an entry twice:
 *
 *   GET ledger → hit: return {0, stored entry id}          (duplicate)
 *   XADD stream [MAXLEN ~ n] * event … type … id … idempotencykey …
 *   SET ledger <entry id> EX <ttl>                        → {1, entry id}
 *
 * Keys and Redis Cluster: a script's keys must share a hash slot. The ledger key of an event is
 * `{<stream>}:idem:<idempotency key>` for a stream name without a hash tag — the braces make the
 * whole stream name the hash tag, which is exactly what the stream key itself hashes to, so both
 * land in the same slot. A stream named with a hash tag (`{app}:events`) gets ledger keys
 * `{app}:idem:{app}:events:<key>`, in the tag's slot. A name with braces that do not form a
 * tag cannot be co-located and is refused.
 */
const PUBLISH_SCRIPT = `
local existing = redis.call('GET', KEYS[2])
if existing then return {0, existing} end
local id
local maxlen = tonumber(ARGV[2])
if maxlen and maxlen > 0 then
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, 3))
else
  id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
end
redis.call('SET', KEYS[2], id, 'EX', tonumber(ARGV[1]))
return {1, id}
`;

/** A marker-only script for ledgers of targets that are not Redis (dispatch). */
const MARK_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[2])) then return 1 end
return 0
`;

type PublishReply = [number, string];
interface ScriptedClient {
  autostackPublish(
    stream: string,
    ledger: string,
    ttl: string,
    maxLen: string,
    ...fields: string[]
  ): Promise<PublishReply>;
}
export interface RedisConnectOptions {
  /** Deadline for connecting (and for each operation's retries). */
  timeoutMs: number;
  /** Reconnect attempts before a command fails (bounded; default 3). */
  maxReconnects?: number;
  /** Keep reconnecting until this many ms have passed (batch mode rides out a restart). */
  reconnectForMs?: number;
}

export class RedisTargetError extends UserError {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(redact(message));
    this.name = 'RedisTargetError';
  }
}

export interface RedisHandle {
  readonly client: Redis | Cluster;
  readonly cluster: boolean;
  readonly display: string;
  close(): Promise<void>;
}

function describeError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return (
    redact(typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message).split('\n')[0] ?? ''
  );
}

/** Turns what Redis or ioredis said into an error a user can act on. */
export function explainRedisError(
  error: unknown,
  url: Pick<ParsedRedisUrl, 'display' | 'username'>,
  lastConnectionError?: unknown,
): RedisTargetError {
  const text = describeError(error);
  const cause = lastConnectionError ? describeError(lastConnectionError) : '';
  const all = `${text} ${cause}`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(all)) {
    return new RedisTargetError(
      `Redis at ${url.display} refused the credentials${url.username ? ` of user '${url.username}'` : ''} (WRONGPASS). Check the user and password in redis-url.`,
      false,
    );
  }
  if (/NOAUTH|Authentication required/i.test(all)) {
    return new RedisTargetError(
      `Redis at ${url.display} requires authentication: put the user and password in redis-url (redis://user:password@host:port).`,
      false,
    );
  }
  if (/NOPERM/i.test(all)) {
    return new RedisTargetError(
      `Redis at ${url.display}: the ACL user${url.username ? ` '${url.username}'` : ''} lacks a permission (${text}). emit-event needs +eval +evalsha +xadd +get +set +info on the stream's keys, e.g. ACL SETUSER <user> ~autostack:* ~{autostack:* +@stream +@scripting +get +set +info.`,
      false,
    );
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(all))
    return new RedisTargetError(`Cannot resolve the Redis host in redis-url (${url.display}): ${cause || text}`, true);
  if (
    /ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|Connection is closed|connect|Reached the max retries|timed out|LOADING|NOSCRIPT|TRYAGAIN|CLUSTERDOWN|MaxRetriesPerRequest|Stream isn't writeable/i.test(
      all,
    )
  ) {
    // "Connection is closed." says nothing; the connection error behind it does.
    const reason =
      cause && /Connection is closed|MaxRetriesPerRequest|Reached the max retries/i.test(text)
        ? cause
        : cause && cause !== text
          ? `${text} (last connection error: ${cause})`
          : text;
    return new RedisTargetError(`Redis at ${url.display} is unreachable: ${reason}`, true);
  }
  return new RedisTargetError(`Redis at ${url.display} failed: ${text}`, false);
}

/** Whether trying again later can help: the same verdict explainRedisError gives, for callers that keep their own message. */
export function isTransientRedisError(error: unknown): boolean {
  return error instanceof RedisTargetError ? error.transient : explainRedisError(error, { display: 'Redis' }).transient;
}

function baseOptions(url: ParsedRedisUrl, options: RedisConnectOptions, deadline: () => number): RedisOptions {
  const maxReconnects = options.maxReconnects ?? 3;
  return {
    host: url.host,
    port: url.port,
    username: url.username,
    password: url.password,
    db: url.db,
    ...(url.tls ? { tls: { servername: url.host } } : {}),
    connectionName: 'autostack',
    connectTimeout: Math.max(500, Math.min(options.timeoutMs, 5000)),
    // Bounded: fail queued commands after this many reconnects instead of ioredis' 20.
    maxRetriesPerRequest: options.reconnectForMs ? null : maxReconnects,
    retryStrategy: (times: number) => {
      if (options.reconnectForMs ? Date.now() > deadline() : times > maxReconnects) return null;
      return Math.min(100 * 2 ** times, 2000);
    },
    // A reply that says the server is loading its AOF is worth waiting for.
    reconnectOnError: (error: Error) => /LOADING|READONLY/.test(error.message),
    enableOfflineQueue: true,
    lazyConnect: false,
  };
}

export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function defineScripts(client: Redis | Cluster): void {
  client.defineCommand('autostackPublish', { numberOfKeys: 2, lua: PUBLISH_SCRIPT });
  client.defineCommand('autostackMark', { numberOfKeys: 1, lua: MARK_SCRIPT });
}

/**
 * Opens a connection and proves it with one round trip (INFO cluster), which also tells
 * whether this is a cluster node. Fails in bounded time with a redacted, explained error.
 */
export async function openRedis(
  rawUrl: string,
  options: RedisConnectOptions,
  inputName = 'redis-url',
): Promise<RedisHandle> {
  const url = parseRedisUrl(rawUrl, inputName);
  // ioredis is loaded here, not at module load: the file and dispatch targets never need it.
  // ioredis is CommonJS: its module.exports (the namespace's default, in Node and in the bundle
  // alike) is the Redis class carrying Redis and Cluster as properties.
  const ioredis = await import('ioredis');
  const { Cluster, Redis } = ioredis.default as unknown as typeof ioredis;
  // Reconnecting is bounded from the moment the connection was last healthy, so a long batch
  // still rides out a restart that happens late in it.
  let healthyAt = Date.now();
  const deadline = () => healthyAt + (options.reconnectForMs ?? options.timeoutMs);
  let lastError: unknown;
  const single = new Redis(baseOptions(url, options, deadline));
  single.on('ready', () => {
    healthyAt = Date.now();
  });
  single.on('error', (error: unknown) => {
    lastError = error;
  });
  let info: string;
  try {
    info = await withDeadline(single.info('cluster'), options.timeoutMs, `connecting to Redis at ${url.display}`);
  } catch (error) {
    single.disconnect();
    throw explainRedisError(error, url, lastError);
  }
  if (!/cluster_enabled:1/.test(info)) {
    defineScripts(single);
    return { client: single, cluster: false, display: url.display, close: () => quit(single) };
  }
  single.disconnect();
  const {
    retryStrategy,
    host: _host,
    port: _port,
    enableOfflineQueue: _queue,
    ...redisOptions
  } = baseOptions(url, options, deadline);
  const cluster = new Cluster([{ host: url.host, port: url.port }], {
    redisOptions,
    clusterRetryStrategy: retryStrategy,
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    enableOfflineQueue: true,
    slotsRefreshTimeout: Math.max(1000, Math.min(options.timeoutMs, 5000)),
    // Loopback/NAT: keep the host the user gave when nodes announce 127.0.0.1-style addresses.
    dnsLookup: (address, callback) => callback(null, address),
  });
  cluster.on('ready', () => {
    healthyAt = Date.now();
  });
  cluster.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await withDeadline(cluster.info('cluster'), options.timeoutMs, `connecting to the Redis Cluster at ${url.display}`);
  } catch (error) {
    cluster.disconnect();
    throw explainRedisError(error, url, lastError);
  }
  defineScripts(cluster);
  return { client: cluster, cluster: true, display: url.display, close: () => quit(cluster) };
}

async function quit(client: Redis | Cluster): Promise<void> {
  try {
    await withDeadline(client.quit(), 2000, 'closing');
  } catch {
    client.disconnect();
  }
}

export interface StreamPublishOptions {
  stream: string;
  /** Approximate MAXLEN trimming; 0 or undefined: no trimming. */
  maxLen?: number | undefined;
  dedupeTtlSeconds?: number | undefined;
  timeoutMs: number;
}

export interface StreamPublishResult {
  entryId: string;
  duplicate: boolean;
}

function scriptArgs(event: CloudEvent, options: StreamPublishOptions): [string, string, string, string, ...string[]] {
  return [
    options.stream,
    ledgerKey(options.stream, event.idempotencykey),
    String(options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS),
    String(options.maxLen ?? 0),
    ...streamEntryFields(event),
  ];
}

function toResult(reply: unknown): StreamPublishResult {
  const [added, entryId] = reply as PublishReply;
  return { entryId: String(entryId), duplicate: Number(added) === 0 };
}

/** Publishes one event: atomic check-and-XADD; the same key again returns the first entry id. */
export async function publishToStream(
  handle: RedisHandle,
  event: CloudEvent,
  options: StreamPublishOptions,
): Promise<StreamPublishResult> {
  const client = handle.client as unknown as ScriptedClient;
  try {
    const reply = await withDeadline(
      client.autostackPublish(...scriptArgs(event, options)),
      options.timeoutMs,
      `publishing to ${handle.display}`,
    );
    return toResult(reply);
  } catch (error) {
    throw explainRedisError(error, handle);
  }
}

/**
 * Ledger for targets without idempotency of their own (GitHub dispatch): `SET NX` a marker in the
 * stream's slot. Returns the stored value if the key was already marked.
 */
export async function readMarker(
  handle: RedisHandle,
  markerKey: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const value = await withDeadline(handle.client.get(markerKey), timeoutMs, `reading the ledger at ${handle.display}`);
  return value ?? undefined;
}

export async function writeMarker(
  handle: RedisHandle,
  markerKey: string,
  value: string,
  ttlSeconds: number,
  timeoutMs: number,
): Promise<boolean> {
  const client = handle.client as unknown as {
    autostackMark(key: string, value: string, ttl: string): Promise<number>;
  };
  const reply = await withDeadline(
    client.autostackMark(markerKey, value, String(ttlSeconds)),
    timeoutMs,
    `writing the ledger at ${handle.display}`,
  );
  return Number(reply) === 1;
}
