import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StepIo } from '../io/io.js';
import type { Ports } from '../ports/ports.js';
import type { JournaledStep } from '../runs/step.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { redact, redactDeep } from '../shared/redact.js';
import { type CloudEvent, createEvent } from './cloud-event.js';
import { appendEventToFile } from './file-target.js';
// What only some emits need loads on use, so a file-target emit reads none of it: the Redis target
// (emit-redis.ts → redis.ts, ioredis), the GitHub targets (emit-dispatch.ts → the dispatch ledger,
// dispatch.ts and the YAML parser it reads workflow files with) and the outbox (when there is one).
import type { RedisHandle } from './redis.js';

/** Where an outbox is kept when the input `outbox` does not say (relative to the workspace). */
export const DEFAULT_OUTBOX = '.autostack/outbox.jsonl';

/** What one emit-event step (or `autostack emit`) is asked to do. */
export interface EmitSpec {
  /** A ready envelope to deliver as is (draining an outbox); otherwise one is built from the fields below. */
  event?: CloudEvent | undefined;
  type: string;
  data?: unknown;
  source: string;
  subject?: string | undefined;
  idempotencyKey?: string | undefined;
  maxHops: number;

  redisUrl?: string | undefined;
  stream: string;
  maxLen?: number | undefined;
  dedupeTtlSeconds: number;

  /** Explicit file target; when no target at all is given, `defaultFile` is used. */
  file?: string | undefined;
  defaultFile: string;

  dispatch?:
    | {
        repository: string;
        workflow?: string | undefined;
        ref?: string | undefined;
        inputs?: Record<string, string> | undefined;
        token: string;
        apiUrl?: string | undefined;
      }
    | undefined;
  tooLarge: 'fail' | 'reference';

  /** Whole-step budget for connecting, publishing and retrying each target. */
  timeoutMs: number;
  /** Attempts per target for transient failures (Redis; GitHub's are the client's retries). */
  attempts: number;

  outboxPath: string;
  workspace: string;
  /** The GitHub client and Actions cache, made once by the entry point. */
  ports: Pick<Ports, 'github' | 'cache'>;
  dispatchLedgerPath: string;

  workflowRunId: string;
  step: string;
  runId?: string | undefined;
  parent?: CloudEvent | undefined;
  traceparent?: string | undefined;
  journalPath?: string | undefined;
}

export interface TargetOutcome {
  target: 'redis' | 'file' | 'repository_dispatch' | 'workflow_dispatch';
  /** Where: redis URL host + stream, file path, owner/repo[/workflow]. */
  where: string;
  duplicate: boolean;
  entryId?: string | undefined;
}

export interface EmitResult {
  event: CloudEvent;
  /** True when every target already had the event: nothing new was sent. */
  duplicate: boolean;
  streamEntryId?: string | undefined;
  dispatched: boolean;
  workflowRunId?: number | undefined;
  workflowRunUrl?: string | undefined;
  file?: string | undefined;
  fromOutbox: boolean;
  outcomes: TargetOutcome[];
}

export interface Failure {
  target: string;
  message: string;
  transient: boolean;
}

export function journal(
  step: JournaledStep | undefined,
  system: string,
  target: string,
  operation: string,
  id: string,
  duplicate: boolean,
): void {
  step?.append({ type: 'system.touched', system, target, operation, id, duplicate });
}

export interface Delivery {
  /** The envelope consumers saw: a Redis duplicate swaps in the stored one. */
  event: CloudEvent;
  outcomes: TargetOutcome[];
  failures: Failure[];
  streamEntryId?: string | undefined;
  dispatched: boolean;
  workflowRunId?: number | undefined;
  workflowRunUrl?: string | undefined;
}

/** The event to deliver: an earlier attempt's exact envelope from the outbox, else a new one. */
async function eventToDeliver(spec: EmitSpec, io: StepIo): Promise<{ event: CloudEvent; fromOutbox: boolean }> {
  // Published data is a sink like any other: a secret in `data` never leaves the process.
  const event = redactDeep(
    spec.event ??
      createEvent({
        type: spec.type,
        source: spec.source,
        data: spec.data,
        subject: spec.subject,
        workflowRunId: spec.workflowRunId,
        step: spec.step,
        runId: spec.runId,
        idempotencyKey: spec.idempotencyKey,
        parent: spec.parent,
        traceparent: spec.traceparent,
        maxHops: spec.maxHops,
      }),
  );
  // An earlier attempt that could not deliver kept the exact envelope: deliver that one. Without an
  // outbox file or the Actions cache to restore one from, there is none (and no outbox code to load).
  if (!spec.ports.cache && !existsSync(spec.outboxPath)) return { event, fromOutbox: false };
  const { findInOutbox, restoreOutboxFromCache } = await import('./outbox.js');
  const kept =
    findInOutbox(spec.outboxPath, event.id) ??
    (spec.ports.cache ? await restoreOutboxFromCache(spec.ports.cache, event.id, spec.workspace, io) : undefined);
  if (!kept) return { event, fromOutbox: false };
  io.info(
    `Event ${kept.event.id} was kept in the outbox by an earlier attempt (${kept.at}: ${kept.error}); delivering that envelope now.`,
  );
  return { event: kept.event, fromOutbox: true };
}

async function deliverToFile(
  spec: EmitSpec,
  file: string,
  delivery: Delivery,
  io: StepIo,
  step: JournaledStep | undefined,
): Promise<void> {
  try {
    const appended = await appendEventToFile(file.startsWith('/') ? file : join(spec.workspace, file), delivery.event);
    delivery.outcomes.push({ target: 'file', where: file, duplicate: appended.duplicate });
    journal(step, 'file', file, 'publish', delivery.event.id, appended.duplicate);
    io.info(`${appended.duplicate ? 'Already in' : 'Appended to'} ${file} (line ${appended.line}).`);
  } catch (error) {
    delivery.failures.push(toFailure('file', error));
  }
}

/** Fails the step; a transient failure keeps the event in the outbox for the next attempt. */
async function failDelivery(
  spec: EmitSpec,
  event: CloudEvent,
  failures: Failure[],
  io: StepIo,
  step: JournaledStep | undefined,
): Promise<never> {
  const summary = failures.map((failure) => `${failure.target}: ${failure.message}`).join('\n');
  if (!failures.some((failure) => failure.transient)) {
    throw new UserError(
      failures.length === 1 ? (failures[0] as Failure).message : `Could not deliver event ${event.id}:\n${summary}`,
    );
  }
  const { addToOutbox, recordInRunDirectory, saveOutboxToCache } = await import('./outbox.js');
  const entry = await addToOutbox(
    spec.outboxPath,
    event,
    failures.map((failure) => failure.target),
    redact(summary),
  );
  recordInRunDirectory(spec.journalPath, entry);
  if (spec.ports.cache) await saveOutboxToCache(spec.ports.cache, entry, spec.workspace, io);
  step?.append({
    type: 'log',
    level: 'error',
    message: `event ${event.id} kept in the outbox`,
    data: { outbox: spec.outboxPath, pending: entry.pending },
  });
  throw new UserError(
    `Could not deliver event ${event.id} within the retry bound:\n${summary}\nThe event is kept in the outbox (${spec.outboxPath}${spec.ports.cache ? ' and the Actions cache' : ''}); re-run the job to deliver it with the same id — targets that already have it will not get it twice.`,
  );
}

/** Builds the event (or takes it from the outbox) and delivers it to every configured target. */
export async function emitEvent(spec: EmitSpec, io: StepIo, step?: JournaledStep): Promise<EmitResult> {
  if (spec.tooLarge === 'reference' && spec.dispatch && !spec.redisUrl) {
    throw new UserError(
      "Input 'too-large' is 'reference', which dispatches a reference to the Redis stream entry, but no redis-url is set. Set redis-url (or env REDIS_URL), or use too-large: fail.",
    );
  }
  const { event, fromOutbox } = await eventToDeliver(spec, io);
  // GitHub's repository_dispatch limits are known up front: refuse before any target gets the
  // event, rather than publishing to Redis and then failing the dispatch. (With too-large:
  // reference the size is fine by construction once the stream entry exists.)
  if (spec.dispatch && !spec.dispatch.workflow && spec.tooLarge === 'fail') {
    const { buildClientPayload } = await import('./dispatch.js');
    buildClientPayload({ repository: spec.dispatch.repository, event });
  }

  const deadline = Date.now() + spec.timeoutMs;
  const delivery: Delivery = { event, outcomes: [], failures: [], dispatched: false };
  const file = spec.file ?? (!spec.redisUrl && !spec.dispatch ? spec.defaultFile : undefined);
  let redis: RedisHandle | undefined;
  try {
    if (spec.redisUrl)
      redis = await (await import('./emit-redis.js')).deliverToRedis(spec, delivery, io, step, deadline);
    if (file) await deliverToFile(spec, file, delivery, io, step);
    if (spec.dispatch) await (await import('./emit-dispatch.js')).deliverToGitHub(spec, delivery, io, step, redis);
  } finally {
    if (redis) await redis.close();
  }
  if (delivery.failures.length > 0) await failDelivery(spec, delivery.event, delivery.failures, io, step);
  if (fromOutbox) await (await import('./outbox.js')).removeFromOutbox(spec.outboxPath, delivery.event.id);

  const { outcomes } = delivery;
  return {
    event: delivery.event,
    duplicate: outcomes.length > 0 && outcomes.every((outcome) => outcome.duplicate),
    streamEntryId: delivery.streamEntryId,
    dispatched: delivery.dispatched,
    workflowRunId: delivery.workflowRunId,
    workflowRunUrl: delivery.workflowRunUrl,
    file,
    fromOutbox,
    outcomes,
  };
}

/**
 * A target's failure as the step reports it: our own errors as worded, anything else redacted.
 * `transient` (a retry may succeed, so the event goes to the outbox) is the target's verdict.
 */
export function toFailure(target: string, error: unknown, transient = false): Failure {
  if (error instanceof UserError) return { target, message: error.message, transient };
  return { target, message: redact(errorMessage(error)), transient: false };
}
