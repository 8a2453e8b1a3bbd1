/** The events domain: CloudEvents envelope, targets (Redis stream, file, GitHub dispatch), outbox. */
export {
  type CloudEvent,
  cloudEventSchema,
  createEvent,
  type CreateEventOptions,
  checkHopLimit,
  defaultIdempotencyKey,
  DEFAULT_MAX_HOPS,
  DISPATCH_PAYLOAD_KEY,
  eventReference,
  HopLimitError,
  parseCloudEvent,
  parseEventData,
  parseStreamEntry,
  readParentEvent,
  serializeEvent,
  STREAM_FIELDS,
  streamEntryFields,
  WORKFLOW_EVENT_INPUT,
} from './envelope.js';
export { emitEvent, type EmitResult, type EmitSpec, type TargetOutcome } from './emit.js';
export {
  DEFAULT_STREAM,
  ledgerKey,
  openRedis,
  parseRedisUrl,
  publishBatch,
  publishToStream,
  type RedisHandle,
  RedisTargetError,
} from './redis.js';
export { appendEventToFile } from './file-target.js';
export { DEFAULT_OUTBOX, listOutbox, type OutboxEntry } from './outbox.js';
