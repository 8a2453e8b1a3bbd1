import * as z from '../shared/mini-zod.js';
import { UserError } from '../shared/errors.js';
import {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEvent,
  CONTROL_MESSAGE,
  NO_CONTROL,
  TRACEPARENT,
  URI_REFERENCE,
} from './cloud-event.js';

/**
 * The envelope's zod schema, for reading envelopes others wrote (stream entries, outbox lines,
 * batch lines) and naming what is wrong in one. Building and checking an event on the start path
 * needs none of it (cloud-event.ts, which this module re-exports), so zod loads only here.
 */
export * from './cloud-event.js';

/** A non-empty string with no control characters (a CloudEvents String attribute). */
const attribute = () => z.string().check(z.minLength(1), z.regex(NO_CONTROL, CONTROL_MESSAGE));

// CloudEvents allows further extension attributes; loose keeps what others put there.
export const cloudEventSchema = z.looseObject({
  specversion: z.literal(CLOUDEVENTS_SPEC_VERSION),
  id: attribute(),
  source: z
    .string()
    .check(z.minLength(1), z.regex(URI_REFERENCE, 'must be a URI-reference: no spaces or control characters')),
  type: attribute(),
  time: z.optional(z.string()),
  subject: z.optional(z.string().check(z.regex(NO_CONTROL, CONTROL_MESSAGE))),
  datacontenttype: z.optional(z.string()),
  dataschema: z.optional(z.string()),
  data: z.optional(z.unknown()),
  autostackrunid: z.optional(z.string()),
  idempotencykey: z.string().check(z.minLength(1)),
  traceparent: z.optional(
    z.string().check(z.regex(TRACEPARENT, 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)')),
  ),
  autostackhop: z.int().check(z.minimum(0)),
});

// The hand-written type and the schema describe the same envelope.
const _sameShape: z.ZodMiniType<CloudEvent> = cloudEventSchema;
void _sameShape;

/** Parses and validates an envelope (JSON text or value); a clear error names what is wrong. */
export function parseCloudEvent(value: unknown, where = 'event'): CloudEvent {
  let candidate = value;
  if (typeof value === 'string') {
    try {
      candidate = JSON.parse(value);
    } catch {
      throw new UserError(`${where} is not JSON`);
    }
  }
  const result = cloudEventSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UserError(
      `${where} is not an autostack CloudEvent: ${issue?.path.join('.') || 'event'} ${issue?.message ?? 'is invalid'}`,
    );
  }
  return result.data;
}

/** Reads an entry's field list (as XRANGE/XREADGROUP return it) back into the envelope. */
export function parseStreamEntry(fields: string[], where = 'stream entry'): CloudEvent {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'event') return parseCloudEvent(fields[i + 1], where);
  }
  throw new UserError(`${where} has no 'event' field (fields: ${fields.filter((_, i) => i % 2 === 0).join(', ')})`);
}
