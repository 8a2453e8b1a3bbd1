import { join } from 'node:path';
// dispatch.ts (and the YAML parser it reads workflow files with) loads only for a dispatch target.
import type { EventLocation } from './dispatch.js';
import type { StepIo } from '../io/io.js';
import type { Ports } from '../ports/ports.js';
import type { JournaledStep } from '../runs/step.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { redact, redactDeep } from '../shared/redact.js';
import { dispatchTargetId, type DispatchLedgerOptions, lookupDispatch, recordDispatch } from './dispatch-ledger.js';
import { type CloudEvent, createEvent } from './cloud-event.js';
import { appendEventToFile } from './file-target.js';
import {
  addToOutbox,
  findInOutbox,
  recordInRunDirectory,
  removeFromOutbox,
  restoreOutboxFromCache,
  saveOutboxToCache,
} from './outbox.js';
import { openRedis, publishToStream, type RedisHandle, RedisTargetError } from './redis.js';

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

interface Failure {
  target: string;
  message: string;
  transient: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function journal(
  step: JournaledStep | undefined,
  system: string,
  target: string,
  operation: string,
  id: string,
  duplicate: boolean,
): void {
  step?.append({ type: 'system.touched', system, target, operation, id, duplicate });
}

interface Delivery {
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
  // An earlier attempt that could not deliver kept the exact envelope: deliver that one.
  const kept =
    findInOutbox(spec.outboxPath, event.id) ??
    (spec.ports.cache ? await restoreOutboxFromCache(spec.ports.cache, event.id, spec.workspace, io) : undefined);
  if (!kept) return { event, fromOutbox: false };
  io.info(
    `Event ${kept.event.id} was kept in the outbox by an earlier attempt (${kept.at}: ${kept.error}); delivering that envelope now.`,
  );
  return { event: kept.event, fromOutbox: true };
}

async function deliverToRedis(
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
    delivery.failures.push(toFailure('redis', error));
    return undefined;
  }
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

async function deliverToGitHub(
  spec: EmitSpec,
  delivery: Delivery,
  io: StepIo,
  step: JournaledStep | undefined,
  redis: RedisHandle | undefined,
): Promise<void> {
  if (!spec.dispatch) return;
  const location: EventLocation | undefined =
    spec.tooLarge === 'reference' && delivery.streamEntryId
      ? { stream: spec.stream, entryId: delivery.streamEntryId }
      : undefined;
  try {
    const outcome = await dispatchOnce(spec, delivery.event, io, location, redis);
    delivery.dispatched = true;
    delivery.workflowRunId = outcome.runId;
    delivery.workflowRunUrl = outcome.runUrl;
    delivery.outcomes.push({ target: outcome.kind, where: outcome.where, duplicate: outcome.duplicate });
    journal(step, 'github', `${outcome.kind} ${outcome.where}`, 'dispatch', delivery.event.id, outcome.duplicate);
  } catch (error) {
    delivery.failures.push(
      await dispatchFailureOf(spec.dispatch.workflow ? 'workflow_dispatch' : 'repository_dispatch', error),
    );
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
    if (spec.redisUrl) redis = await deliverToRedis(spec, delivery, io, step, deadline);
    if (file) await deliverToFile(spec, file, delivery, io, step);
    await deliverToGitHub(spec, delivery, io, step, redis);
  } finally {
    if (redis) await redis.close();
  }
  if (delivery.failures.length > 0) await failDelivery(spec, delivery.event, delivery.failures, io, step);
  if (fromOutbox) await removeFromOutbox(spec.outboxPath, delivery.event.id);

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

function toFailure(target: string, error: unknown): Failure {
  if (error instanceof RedisTargetError) return { target, message: error.message, transient: error.transient };
  if (error instanceof UserError) return { target, message: error.message, transient: false };
  return { target, message: redact(errorMessage(error)), transient: false };
}

/** A failed dispatch; the dispatch error types load with the dispatch code, never on a file or Redis emit. */
async function dispatchFailureOf(target: string, error: unknown): Promise<Failure> {
  const { DispatchError } = await import('./dispatch-errors.js');
  if (error instanceof DispatchError) return { target, message: error.message, transient: error.transient };
  return toFailure(target, error);
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

interface DispatchOutcome {
  kind: 'repository_dispatch' | 'workflow_dispatch';
  where: string;
  duplicate: boolean;
  runId?: number | undefined;
  runUrl?: string | undefined;
}

async function dispatchOnce(
  spec: EmitSpec,
  event: CloudEvent,
  io: StepIo,
  location: EventLocation | undefined,
  redis: RedisHandle | undefined,
): Promise<DispatchOutcome> {
  const target = spec.dispatch;
  if (!target) throw new Error('no dispatch target');
  const kind = target.workflow ? 'workflow_dispatch' : 'repository_dispatch';
  const where = target.workflow ? `${target.repository}/${target.workflow}` : target.repository;
  const targetId = dispatchTargetId({ kind, ...target });
  const ledger: DispatchLedgerOptions = {
    log: io,
    workspace: spec.workspace,
    localPath: spec.dispatchLedgerPath,
    redis: redis
      ? { handle: redis, stream: spec.stream, ttlSeconds: spec.dedupeTtlSeconds, timeoutMs: 5000 }
      : undefined,
    cache: spec.ports.cache,
  };
  const seen = await lookupDispatch(event.idempotencykey, targetId, ledger);
  if (seen) {
    const details = parseLedgerValue(seen.value);
    io.info(
      `Event ${event.id} was already dispatched (${kind} to ${where}, ledger: ${seen.where}); not dispatching again.`,
    );
    return { kind, where, duplicate: true, ...details };
  }
  const client = await spec.ports.github(
    { token: target.token, apiUrl: target.apiUrl, retries: Math.max(0, spec.attempts - 1) },
    io,
  );
  const { dispatchEvent } = await import('./dispatch.js');
  const result = await dispatchEvent(client, target, event, location);
  if (result.kind === 'workflow_dispatch') {
    const runUrl = result.htmlUrl ?? result.runUrl;
    await recordDispatch(event.idempotencykey, targetId, JSON.stringify({ runId: result.runId, runUrl }), ledger);
    io.info(
      `Dispatched workflow ${result.workflow} in ${target.repository} on ${result.ref}${result.runId ? `: run ${result.runId} ${runUrl ?? ''}` : ''}.`,
    );
    return { kind, where, duplicate: false, runId: result.runId, runUrl };
  }
  await recordDispatch(event.idempotencykey, targetId, JSON.stringify({ eventType: result.eventType }), ledger);
  io.info(
    `Sent repository_dispatch '${result.eventType}' to ${target.repository}${result.reference ? ' (a reference to the stream entry: the event is too large for client_payload)' : ''}.`,
  );
  return { kind, where, duplicate: false };
}

function parseLedgerValue(value: string): { runId?: number | undefined; runUrl?: string | undefined } {
  try {
    const parsed = JSON.parse(value) as { runId?: unknown; runUrl?: unknown };
    return {
      runId: typeof parsed.runId === 'number' ? parsed.runId : undefined,
      runUrl: typeof parsed.runUrl === 'string' ? parsed.runUrl : undefined,
    };
  } catch {
    return {};
  }
}
