import type { StepIo } from '../io/io.js';
import type { JournaledStep } from '../runs/step.js';
import type { CloudEvent } from './cloud-event.js';
// dispatch.ts (and the YAML parser it reads workflow files with) loads only when a dispatch is sent.
import type { EventLocation } from './dispatch.js';
import { dispatchTargetId, type DispatchLedgerOptions, lookupDispatch, recordDispatch } from './dispatch-ledger.js';
import { type Delivery, type EmitSpec, type Failure, journal, toFailure } from './emit.js';
import type { RedisHandle } from './redis.js';

/** The GitHub targets of an emit, repository_dispatch and workflow_dispatch (emit.ts loads this file only for one). */

/** Dispatches the event once (the ledger remembers it), recording the outcome or the failure. */
export async function deliverToGitHub(
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

/** A failed dispatch; the dispatch error types load with the dispatch code, never on a file or Redis emit. */
async function dispatchFailureOf(target: string, error: unknown): Promise<Failure> {
  const { DispatchError } = await import('./dispatch-errors.js');
  return toFailure(target, error, error instanceof DispatchError && error.transient);
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
