import { InputError } from '../shared/errors.js';

/**
 * Names and defaults of the Redis Streams target that need none of its client code: input
 * parsing checks the stream name and fills the defaults on every emit, and a file-target emit
 * never loads redis.ts (nor ioredis). Why the keys look as they do: the top of redis.ts.
 */
export const DEFAULT_STREAM = 'autostack:events';
/** How long a publish is remembered for deduplication: GitHub allows re-runs for 30 days. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 30 * 24 * 3600;

/** The Redis Cluster hash tag of a key (the first non-empty {…}), if any. */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

export function validateStreamName(stream: string, inputName = 'stream'): string {
  if (!stream || stream.length > 512 || /\s/.test(stream))
    throw new InputError(inputName, `must be a Redis key of 1-512 characters without spaces (got '${stream}')`);
  if (hashTag(stream) === undefined && /[{}]/.test(stream)) {
    throw new InputError(
      inputName,
      `has braces that are not a Redis Cluster hash tag ('${stream}'); use a tag like {app}:events or no braces`,
    );
  }
  return stream;
}

/** The ledger key of an idempotency key for a stream: same hash slot as the stream (see redis.ts). */
export function ledgerKey(stream: string, idempotencyKey: string, kind = 'idem'): string {
  const tag = hashTag(stream);
  return tag === undefined ? `{${stream}}:${kind}:${idempotencyKey}` : `{${tag}}:${kind}:${stream}:${idempotencyKey}`;
}
