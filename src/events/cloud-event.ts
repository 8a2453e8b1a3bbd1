import { canonicalJson } from '../shared/canonical-json.js';
import { InputError, UserError } from '../shared/errors.js';
import { isoTime } from '../shared/iso-time.js';
import { sha256Hex } from '../shared/sha256.js';

/**
 * The event envelope: CloudEvents 1.0, structured JSON mode (`application/cloudevents+json`),
 * plus four extension attributes (lowercase alphanumeric, as the spec requires):
 *
 * - `autostackrunid`  — the autostack run ID of the run that emitted the event (AUTOSTACK_RUN_ID),
 *                       so a run started by the event can record its parent run.
 * - `idempotencykey`  — the key every target deduplicates on (Redis ledger, file, dispatch ledger).
 * - `traceparent`     — W3C Trace Context (`00-<32 hex trace-id>-<16 hex span-id>-<2 hex flags>`);
 *                       a child event keeps its parent's trace-id.
 * - `autostackhop`    — how many events came before this one in the chain (0 for a first event);
 *                       an event whose hop would exceed the configured maximum is refused.
 *
 * The `id` is deterministic — a hash of source, workflow run id, step and idempotency key — so a
 * retried or re-run publish is recognisably the same event everywhere (`source` + `id` identify a
 * CloudEvent; consumers may drop repeats).
 *
 * Redis stream entry layout (what `autostack relay` and any other consumer reads), one XADD per
 * event with these fields in this order:
 *
 *   event           the whole envelope as JSON (the source of truth)
 *   type            the CloudEvent `type` (for cheap filtering without parsing JSON)
 *   id              the CloudEvent `id`
 *   idempotencykey  the idempotency key
 *
 * A stream entry that is only a reference to a too-large event is not a thing: references go the
 * other way (dispatch carries `{ stream, entry }` pointing at the full entry, see `eventReference`).
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** Key of `client_payload` that carries the whole envelope in a repository_dispatch. */
export const DISPATCH_PAYLOAD_KEY = 'autostack';
/** workflow_dispatch input that carries the envelope as JSON, when the target declares it. */
export const WORKFLOW_EVENT_INPUT = 'autostack-event';

export const DEFAULT_MAX_HOPS = 10;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * CloudEvents String attributes exclude U+0000–U+001F, U+007F–U+009F, noncharacters and lone
 * surrogates (a lone surrogate also comes back from UTF-8 storage such as Redis as U+FFFD).
 * Noncharacters are U+FDD0–U+FDEF and the last two code points of each of the 17 planes; they are
 * spelled out rather than written \p{Noncharacter_Code_Point} (and surrogates rather than \p{Cs}):
 * the first property class a process compiles loads ICU's property data, about 1 ms of every
 * emit-event start. test/events/cloud-event-text.test.ts holds both to the property classes.
 */
const PLANE_ENDS = Array.from(
  { length: 17 },
  (_, plane) => `\\u{${plane.toString(16)}fffe}\\u{${plane.toString(16)}ffff}`,
);
const NONCHARACTERS = `\\u{FDD0}-\\u{FDEF}${PLANE_ENDS.join('')}`;
const NOT_TEXT = `\\u0000-\\u001f\\u007f-\\u009f\\u{D800}-\\u{DFFF}${NONCHARACTERS}`;
export const NO_CONTROL = new RegExp(`^[^${NOT_TEXT}]*$`, 'u');
export const CONTROL_MESSAGE = 'must not contain control characters (CloudEvents String attribute)';
export const URI_REFERENCE = new RegExp(`^[^\\s${NOT_TEXT}]+$`, 'u');
const SOURCE_MESSAGE = 'must be a URI-reference: no spaces or control characters';
export const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The schema's checks of a String attribute (type, subject) and of `source`, for callers that check without zod. */
export function isAttributeText(value: unknown, required = true): value is string {
  return typeof value === 'string' && (!required || value.length > 0) && NO_CONTROL.test(value);
}
export function isUriReference(value: unknown): value is string {
  return typeof value === 'string' && URI_REFERENCE.test(value);
}

/**
 * The envelope (CloudEvents 1.0 plus the four extensions above). Checked by hand on the start
 * path (isCloudEvent); envelope.ts holds the zod schema that names what is wrong in one that is not.
 */
export interface CloudEvent {
  specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  id: string;
  source: string;
  type: string;
  time?: string | undefined;
  subject?: string | undefined;
  datacontenttype?: string | undefined;
  dataschema?: string | undefined;
  data?: unknown;
  autostackrunid?: string | undefined;
  idempotencykey: string;
  traceparent?: string | undefined;
  autostackhop: number;
  // CloudEvents allows further extension attributes; an envelope keeps what others put there.
  [attribute: string]: unknown;
}

const optionalText = (value: unknown) => value === undefined || typeof value === 'string';

/** cloudEventSchema's checks (envelope.ts) without zod: a test holds the two to the same verdicts. */
export function isCloudEvent(value: unknown): value is CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const event = value as Record<string, unknown>;
  const { subject, traceparent, autostackhop: hop } = event;
  return (
    event.specversion === CLOUDEVENTS_SPEC_VERSION &&
    isAttributeText(event.id) &&
    isUriReference(event.source) &&
    isAttributeText(event.type) &&
    typeof event.idempotencykey === 'string' &&
    event.idempotencykey.length > 0 &&
    typeof hop === 'number' &&
    Number.isSafeInteger(hop) &&
    hop >= 0 &&
    (subject === undefined || isAttributeText(subject, false)) &&
    (traceparent === undefined || (typeof traceparent === 'string' && TRACEPARENT.test(traceparent))) &&
    [event.time, event.datacontenttype, event.dataschema, event.autostackrunid].every(optionalText)
  );
}

/** Fingerprint of what the event says (type, subject, data): part of the default key. */
export function payloadFingerprint(parts: { type: string; subject?: string | undefined; data?: unknown }): string {
  return sha256Hex(canonicalJson({ type: parts.type, subject: parts.subject ?? null, data: parts.data ?? null })).slice(
    0,
    16,
  );
}

/**
 * The default idempotency key: workflow run id + step + payload fingerprint. Not the run attempt,
 * so re-running a failed job produces the same key and the targets recognise the repeat.
 */
export function defaultIdempotencyKey(parts: {
  workflowRunId: string;
  step: string;
  type: string;
  subject?: string | undefined;
  data?: unknown;
}): string {
  const step = parts.step.replace(/[^A-Za-z0-9._\-/]/g, '_').slice(0, 120);
  return `${parts.workflowRunId}:${step}:${payloadFingerprint(parts)}`;
}

/** A user-given key: one line of printable characters, no spaces (it becomes part of Redis keys). */
export function validateIdempotencyKey(key: string, inputName = 'idempotency-key'): string {
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new InputError(
      inputName,
      `must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces (got ${JSON.stringify(key.slice(0, 80))})`,
    );
  }
  return key;
}

/** The deterministic CloudEvent id: hash of source, workflow run id, step and idempotency key. */
export function deterministicEventId(parts: {
  source: string;
  workflowRunId: string;
  step: string;
  idempotencyKey: string;
}): string {
  const hex = sha256Hex([parts.source, parts.workflowRunId, parts.step, parts.idempotencyKey].join('\u0000'));
  // UUID-shaped (version nibble 5-like, variant 8) so tools that expect UUID ids are happy.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Trace context and chains
// ---------------------------------------------------------------------------------------------

export function parseTraceparent(
  value: string | undefined,
): { traceId: string; spanId: string; flags: string } | undefined {
  if (!value || !TRACEPARENT.test(value.trim())) return undefined;
  const [, traceId, spanId, flags] = value.trim().split('-') as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/**
 * traceparent for a new event: the parent's trace-id when there is a parent (incoming event or
 * env TRACEPARENT), else a trace-id derived from the event id; the span-id is derived from the
 * event id, so a re-run builds the same envelope.
 */
export function childTraceparent(eventId: string, parent?: string): string {
  const parsed = parseTraceparent(parent);
  const digest = sha256Hex(`traceparent\u0000${eventId}`);
  const traceId = parsed?.traceId ?? digest.slice(0, 32);
  const spanId = digest.slice(32, 48);
  return `00-${traceId}-${spanId}-${parsed?.flags ?? '01'}`;
}

export class HopLimitError extends UserError {
  constructor(hop: number, maxHops: number, parent?: CloudEvent) {
    const chain = parent
      ? ` It was triggered by event ${parent.id} (type '${parent.type}'${parent.autostackrunid ? `, run ${parent.autostackrunid}` : ''}).`
      : '';
    super(
      `Refusing to emit: this event would be hop ${hop} of an event chain, over the limit of ${maxHops} (input 'max-hops').${chain} ` +
        'A workflow that emits the event that triggers it loops forever; break the loop, or raise max-hops if the chain is meant to be this long.',
    );
    this.name = 'HopLimitError';
  }
}

/** Throws a clear error when an event at `hop` exceeds `maxHops`. */
export function checkHopLimit(hop: number, maxHops: number, parent?: CloudEvent): void {
  if (hop > maxHops) throw new HopLimitError(hop, maxHops, parent);
}

/** The object at `key` of a payload part, when it is one (anything else carries no envelope). */
function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The event that started this run, if it was an autostack event: `client_payload.autostack` of a
 * repository_dispatch, or the `autostack-event` input of a workflow_dispatch (JSON), in the
 * trigger's payload (the GitHub context's). Anything else counts as no parent.
 */
export function parentEventFromPayload(payload: unknown): CloudEvent | undefined {
  const input = member(member(payload, 'inputs'), WORKFLOW_EVENT_INPUT);
  const candidate =
    member(member(payload, 'client_payload'), DISPATCH_PAYLOAD_KEY) ??
    (typeof input === 'string' ? parseJson(input) : undefined);
  // A dispatched reference to a too-large event still carries the envelope's attributes.
  return isCloudEvent(candidate) ? candidate : undefined;
}

// ---------------------------------------------------------------------------------------------
// Building an event
// ---------------------------------------------------------------------------------------------

export interface CreateEventOptions {
  type: string;
  source: string;
  data?: unknown;
  subject?: string | undefined;
  /** GitHub's run id (GITHUB_RUN_ID), stable across attempts; 'local' off a runner. */
  workflowRunId: string;
  /** The step that emits (job + step id on a runner). */
  step: string;
  /** Our run ID (AUTOSTACK_RUN_ID), when record-run started one. */
  runId?: string | undefined;
  /** Default: derived from run id, step and payload fingerprint. */
  idempotencyKey?: string | undefined;
  /** The event that started this run, if any: hop and trace continue from it. */
  parent?: CloudEvent | undefined;
  /** W3C traceparent from the environment (TRACEPARENT), used when there is no parent event. */
  traceparent?: string | undefined;
  maxHops?: number | undefined;
  time?: Date | undefined;
  /**
   * The caller already checked type, source and subject against cloudEventSchema (a batch line
   * parsed with its shape): skip the final whole-envelope check, which cost a batch a third of
   * its time. Everything else in the envelope is built here and valid by construction.
   */
  validated?: boolean | undefined;
}

export function createEvent(options: CreateEventOptions): CloudEvent {
  if (!options.type.trim())
    throw new InputError('type', 'is required: the CloudEvent type, e.g. com.example.issue.triaged');
  const idempotencyKey =
    options.idempotencyKey !== undefined
      ? validateIdempotencyKey(options.idempotencyKey)
      : defaultIdempotencyKey({
          workflowRunId: options.workflowRunId,
          step: options.step,
          type: options.type,
          subject: options.subject,
          data: options.data,
        });
  const hop = options.parent ? options.parent.autostackhop + 1 : 0;
  checkHopLimit(hop, options.maxHops ?? DEFAULT_MAX_HOPS, options.parent);
  const id = deterministicEventId({
    source: options.source,
    workflowRunId: options.workflowRunId,
    step: options.step,
    idempotencyKey,
  });
  const event: CloudEvent = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id,
    source: options.source,
    type: options.type,
    time: isoTime(options.time),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    ...(options.data !== undefined ? { datacontenttype: 'application/json', data: options.data } : {}),
    ...(options.runId ? { autostackrunid: options.runId } : {}),
    idempotencykey: idempotencyKey,
    traceparent: childTraceparent(id, options.parent?.traceparent ?? options.traceparent),
    autostackhop: hop,
  };
  if (options.validated) return event;
  // Only what the caller gave can be wrong (the rest is built here): name it as the input.
  checkAttribute('type', event.type, isAttributeText(event.type), CONTROL_MESSAGE);
  checkAttribute('source', event.source, isUriReference(event.source), SOURCE_MESSAGE);
  if (event.subject !== undefined)
    checkAttribute('subject', event.subject, isAttributeText(event.subject, false), CONTROL_MESSAGE);
  return event;
}

function checkAttribute(name: string, given: string, valid: boolean, message: string): void {
  if (!valid) throw new InputError(name, `${message} (got ${JSON.stringify(given.slice(0, 80))})`);
}

/** Serialised once; what the stream, the file target and dispatch all carry. */
export function serializeEvent(event: CloudEvent): string {
  return JSON.stringify(event);
}

/** XADD field/value pairs for an event, in the documented order. */
export function streamEntryFields(event: CloudEvent): string[] {
  return ['event', serializeEvent(event), 'type', event.type, 'id', event.id, 'idempotencykey', event.idempotencykey];
}

/**
 * The envelope with `data` replaced by a reference to where the full event lives, for targets
 * with tighter size limits than the event (GitHub dispatch). The attributes stay, so the child
 * run still knows its parent, hop and trace.
 */
export function eventReference(event: CloudEvent, location: { stream: string; entryId: string }): CloudEvent {
  const { data: _data, datacontenttype: _type, ...attributes } = event;
  return {
    ...attributes,
    datacontenttype: 'application/json',
    data: { autostackref: { stream: location.stream, entry: location.entryId } },
  };
}
