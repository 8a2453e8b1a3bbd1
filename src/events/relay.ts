import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import type { Log } from '../io/io.js';
import type { Journal } from '../runs/journal.js';
import { errorMessage } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import type { GitHubClient } from '../github/client.js';
import { dispatchEvent, type DispatchResult } from './dispatch.js';
import { DispatchError } from './dispatch-errors.js';
import { type CloudEvent, parseStreamEntry } from './envelope.js';
import { dispatchMarkerKey, dispatchTargetId } from './dispatch-ledger.js';
import { hashTag } from './redis-names.js';
import { defineRelayScripts, type RelayScripts } from './relay-scripts.js';
import { describeTarget, emptyRelaySummary, type RelaySummary } from './relay-summary.js';
import { resolveTarget, type Route, type RouteTarget, type Routing } from './routing.js';

// The summary's shape and wording live in relay-summary.ts; re-exported for the relay command.

/**
 * The events relay: a Redis Streams consumer group member that turns each event into a GitHub
 * dispatch according to a routing file.
 *
 * Delivery, per stream entry:
 *   1. `begin` (one Lua script on the stream key): is the entry still pending and ours? Reset
 *      its idle time (XCLAIM … JUSTID, which does not count a delivery) so no other relay
 *      reclaims it while we dispatch, and read its delivery count.
 *   2. Envelope invalid, or no route matches → dead-letter stream at once (retrying cannot help).
 *   3. For each matching route: if the "dispatched" marker for (idempotency key, target) exists,
 *      skip (a previous delivery already dispatched it); else dispatch, then SET the marker.
 *   4. All targets done → XACK (acks are sent per batch, after the batch's dispatches; the
 *      markers make a crash before the ack harmless). A failure leaves the entry pending; it is
 *      retried on a later delivery (XAUTOCLAIM after min-idle), and after `maxAttempts`
 *      deliveries it is moved to the dead-letter stream (XADD dead + XACK in one script).
 *
 * The remaining window: the relay dies after GitHub accepted a dispatch but before the marker
 * is written (one HTTP response plus one SET). That dispatch happens again on recovery: GitHub
 * dispatches carry no idempotency key, so this cannot be closed from our side. The envelope's
 * `id` and `idempotencykey` travel with the dispatch, so a receiving workflow can drop the repeat
 * (e.g. a `concurrency` group keyed on the event id). A Redis outage in that window is covered
 * while the process lives: the marker is kept in memory (`unsavedMarkers`), written after the
 * reconnect, and consulted before the entry is dispatched again.
 *
 * Keys (Redis Cluster): the stream, the dead-letter stream and every marker share the stream's
 * hash slot (`ledgerKey` of src/events/redis.ts), so scripts touching several keys are legal.
 */

export interface RelayOptions {
  client: Redis | Cluster;
  stream: string;
  group: string;
  consumer: string;
  routing: Routing;
  /** GitHub client for a route's token (undefined = the default token). */
  github: (tokenEnv: string | undefined) => GitHubClient;
  deadLetterStream: string;
  maxAttempts: number;
  /** An entry pending this long (ms) is reclaimed from a consumer that stopped. */
  minIdleMs: number;
  batchSize: number;
  mode: 'once' | 'continuous';
  /** XREADGROUP BLOCK in continuous mode (also how often a stop request is noticed). */
  blockMs?: number;
  /** How long a "dispatched" marker is kept (seconds). */
  markerTtlSeconds: number;
  /**
   * Markers of dispatches that succeeded while Redis could not store the marker (key → value).
   * Shared across reconnects by the caller: written first when the relay runs again, and
   * consulted before dispatching, so a Redis outage right after a dispatch does not repeat it.
   */
  unsavedMarkers?: Map<string, string>;
  /** Where a new group starts: '0' (the whole stream, default) or '$' (only new events). */
  startId?: string;
  log: Log;
  journal?: Journal | undefined;
  /**
   * Polled between entries; true finishes the in-flight entry, acks, releases the rest of the
   * batch to the group (see RELEASE_SCRIPT in relay-scripts.ts), and returns.
   */
  shouldStop?: () => boolean;
}

export const DEFAULT_GROUP = 'autostack-relay';
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_MIN_IDLE_MS = 120_000;
export const DEFAULT_MARKER_TTL_SECONDS = 30 * 24 * 3600;

export function defaultConsumerName(): string {
  return `${hostname()}-${process.pid}`;
}

/** Default dead-letter stream: `<stream>:dead` in the stream's hash slot. */
export function defaultDeadLetterStream(stream: string): string {
  return hashTag(stream) === undefined ? `{${stream}}:dead` : `${stream}:dead`;
}

/** The dispatch-ledger marker of one (idempotency key, route target) pair: shared with emit-event. */
export function dispatchedMarkerKey(stream: string, idempotencyKey: string, target: RouteTarget): string {
  return dispatchMarkerKey(stream, idempotencyKey, dispatchTargetId(target));
}

type Entry = [id: string, fields: string[] | null];

export class Relay {
  readonly summary: RelaySummary = emptyRelaySummary();
  private readonly scripts: RelayScripts;
  private toAck: string[] = [];

  constructor(private readonly options: RelayOptions) {
    const client = options.client;
    this.scripts = defineRelayScripts(client);
  }

  private stopping(): boolean {
    return this.options.shouldStop?.() ?? false;
  }

  /** XGROUP CREATE … MKSTREAM; an existing group is fine. */
  async ensureGroup(): Promise<void> {
    const { client, stream, group } = this.options;
    try {
      await client.xgroup('CREATE', stream, group, this.options.startId ?? '0', 'MKSTREAM');
      this.options.log.info(`created consumer group '${group}' on ${stream}`);
    } catch (error) {
      if (!/BUSYGROUP/.test(errorMessage(error))) throw error;
    }
  }

  /** Runs until drained (once) or until shouldStop (continuous). */
  async run(): Promise<RelaySummary> {
    const { client, stream, group, consumer, batchSize, minIdleMs } = this.options;
    await this.saveUnsavedMarkers();
    await this.ensureGroup();
    // 1. Our own pending entries, if this consumer name was used by a relay that died.
    let cursor = '0';
    while (!this.stopping()) {
      const reply = await client.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', stream, cursor);
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) break;
      await this.processBatch(entries);
      cursor = entries[entries.length - 1]?.[0] ?? cursor;
    }
    let lastReclaim = 0;
    while (!this.stopping()) {
      // 2. Entries another (crashed) relay left pending longer than min-idle; failed ones of ours too.
      let reclaimed = 0;
      const reclaimDue =
        this.options.mode === 'once' || Date.now() - lastReclaim >= Math.max(1000, Math.min(minIdleMs, 30_000));
      if (reclaimDue) {
        lastReclaim = Date.now();
        let start = '0-0';
        do {
          const reply = (await client.xautoclaim(stream, group, consumer, minIdleMs, start, 'COUNT', batchSize)) as [
            string,
            Entry[],
            string[]?,
          ];
          start = reply[0];
          const deleted = reply[2] ?? [];
          if (deleted.length > 0) this.noteTrimmed(deleted);
          reclaimed += reply[1].length;
          await this.processBatch(reply[1]);
        } while (start !== '0-0' && !this.stopping());
      }
      if (this.stopping()) break;
      // 3. New entries.
      const args: Array<string | number> = ['GROUP', group, consumer, 'COUNT', batchSize];
      if (this.options.mode === 'continuous') args.push('BLOCK', this.options.blockMs ?? 2000);
      args.push('STREAMS', stream, '>');
      const reader = client as unknown as { xreadgroup(...args: Array<string | number>): Promise<unknown> };
      const reply = (await reader.xreadgroup(...args)) as Array<[string, Entry[]]> | null;
      const entries = reply?.[0]?.[1] ?? [];
      await this.processBatch(entries);
      if (this.options.mode === 'once' && reclaimed === 0 && entries.length === 0) break;
    }
    await this.flushAcks();
    await this.forgetConsumerIfIdle();
    return this.summary;
  }

  private async saveUnsavedMarkers(): Promise<void> {
    const unsaved = this.options.unsavedMarkers;
    if (!unsaved || unsaved.size === 0) return;
    for (const [key, value] of [...unsaved]) {
      await this.options.client.set(key, value, 'EX', this.options.markerTtlSeconds);
      unsaved.delete(key);
    }
    this.options.log.info('relay: saved the dispatched markers Redis missed while it was away');
  }

  private noteTrimmed(ids: string[]): void {
    this.summary.trimmed += ids.length;
    this.options.log.warning(
      `${ids.length} pending entr${ids.length === 1 ? 'y was' : 'ies were'} trimmed from ${this.options.stream} before being relayed: ${ids.slice(0, 5).join(', ')}`,
    );
  }

  private async processBatch(entries: Entry[]): Promise<void> {
    let started = 0;
    try {
      for (const [id, fields] of entries) {
        if (this.stopping()) break;
        started += 1;
        if (fields === null) {
          // Redis 6.2 reports a trimmed pending entry with nil fields; nothing to relay.
          this.noteTrimmed([id]);
          this.toAck.push(id);
          continue;
        }
        await this.processEntry(id, fields);
      }
    } finally {
      await this.flushAcks();
      if (started < entries.length) await this.release(entries.slice(started).map(([id]) => id));
    }
  }

  /**
   * A graceful stop: entries of the batch that were read but not started go back to the group
   * at once (RELEASE_SCRIPT in relay-scripts.ts) instead of waiting min-idle under a consumer that is gone. Failing
   * to release costs only time: the entries stay pending and are reclaimed after min-idle.
   */
  private async release(ids: string[]): Promise<void> {
    const { stream, group, consumer, log } = this.options;
    try {
      const released = Number(await this.scripts.autostackRelayRelease(stream, group, consumer, ...ids));
      this.summary.released += released;
      log.info(
        `relay: stopping; ${released} entr${released === 1 ? 'y' : 'ies'} read but not started released to the group (the next relay takes ${released === 1 ? 'it' : 'them'} at once)`,
      );
    } catch (error) {
      log.warning(
        `relay: could not release ${ids.length} unstarted entr${ids.length === 1 ? 'y' : 'ies'} (${errorMessage(error)}); they are reclaimed after min-idle`,
      );
    }
  }

  private async flushAcks(): Promise<void> {
    if (this.toAck.length === 0) return;
    const ids = this.toAck;
    this.toAck = [];
    const acked = await this.options.client.xack(this.options.stream, this.options.group, ...ids);
    this.summary.acked += Number(acked);
  }

  private async processEntry(id: string, fields: string[]): Promise<void> {
    const { stream, group, consumer, routing, log } = this.options;
    this.summary.read += 1;
    const [state, deliveries] = await this.scripts.autostackRelayBegin(stream, group, consumer, id);
    if (Number(state) !== 1) {
      log.debug(`entry ${id}: ${Number(state) === 0 ? 'already acknowledged' : 'now owned by another relay'}; skipped`);
      return;
    }
    let event: CloudEvent;
    try {
      event = parseStreamEntry(fields, `stream entry ${id}`);
    } catch (error) {
      await this.park(id, fields, 'invalid-envelope', errorMessage(error), Number(deliveries));
      return;
    }
    if (Number(deliveries) > this.options.maxAttempts) {
      // Delivered more often than attempts allowed without a verdict (a relay crashing on it).
      await this.park(
        id,
        fields,
        'too-many-deliveries',
        `delivered ${deliveries} times without being relayed`,
        Number(deliveries),
        event,
      );
      return;
    }
    const routes = routing.match(event.type);
    if (routes.length === 0) {
      await this.handleUnrouted(id, fields, event, Number(deliveries));
      return;
    }
    const failure = await this.dispatchRoutes(id, event, routes);
    if (failure === undefined) {
      this.toAck.push(id);
      return;
    }
    await this.handleDispatchFailure(id, fields, event, Number(deliveries), failure);
  }

  private async handleUnrouted(id: string, fields: string[], event: CloudEvent, deliveries: number): Promise<void> {
    const { routing, log } = this.options;
    if (routing.unrouted === 'skip') {
      log.info(`entry ${id}: no route for type '${event.type}'; acknowledged (unrouted: skip)`);
      this.summary.unrouted += 1;
      this.toAck.push(id);
    } else {
      await this.park(
        id,
        fields,
        'unroutable',
        `no route in ${routing.file} matches type '${event.type}'`,
        deliveries,
        event,
      );
    }
  }

  /**
   * Dispatches to each route's target in turn, stopping at the first failure, which is returned
   * (undefined when all succeeded). A marker that cannot be saved is thrown instead: Redis is gone.
   */
  private async dispatchRoutes(id: string, event: CloudEvent, routes: Route[]): Promise<unknown> {
    const { stream, log } = this.options;
    for (const route of routes) {
      let target: RouteTarget;
      try {
        target = resolveTarget(route, event);
      } catch (error) {
        return error;
      }
      const marker = dispatchedMarkerKey(stream, event.idempotencykey, target);
      if (this.options.unsavedMarkers?.has(marker) || (await this.options.client.get(marker)) !== null) {
        this.summary.duplicates += 1;
        log.info(
          `entry ${id}: ${describeTarget(target)} already dispatched for idempotency key ${event.idempotencykey}; skipped`,
        );
        this.journal(target, event, true);
        continue;
      }
      let result: DispatchResult;
      try {
        result = await this.dispatch(target, event, id);
      } catch (error) {
        return error;
      }
      await this.recordDispatch(id, event, target, marker, result);
    }
    return undefined;
  }

  private async recordDispatch(
    id: string,
    event: CloudEvent,
    target: RouteTarget,
    marker: string,
    result: DispatchResult,
  ): Promise<void> {
    const { consumer, log } = this.options;
    const value = JSON.stringify({
      entry: id,
      event: event.id,
      at: new Date().toISOString(),
      consumer,
      ...(result.kind === 'workflow_dispatch' && result.runId ? { runId: result.runId } : {}),
    });
    this.summary.dispatched += 1;
    this.journal(target, event, false);
    try {
      await this.options.client.set(marker, value, 'EX', this.options.markerTtlSeconds);
    } catch (error) {
      // Dispatched, but Redis is gone: remember it here so the retry after reconnecting skips it.
      this.options.unsavedMarkers?.set(marker, value);
      throw error;
    }
    if (result.kind === 'workflow_dispatch') {
      this.summary.runs.push({
        entry: id,
        eventId: event.id,
        repository: result.repository,
        runId: result.runId,
        htmlUrl: result.htmlUrl,
      });
      log.info(
        `entry ${id}: workflow_dispatch ${result.workflow} in ${result.repository}@${result.ref}${result.htmlUrl ? ` → ${result.htmlUrl}` : ''}`,
      );
    } else {
      log.info(
        `entry ${id}: repository_dispatch '${result.eventType}' to ${result.repository}${result.reference ? ' (as a reference: event too large)' : ''}`,
      );
    }
  }

  private async handleDispatchFailure(
    id: string,
    fields: string[],
    event: CloudEvent,
    attempt: number,
    failure: unknown,
  ): Promise<void> {
    const message = redact(errorMessage(failure));
    if (attempt >= this.options.maxAttempts) {
      await this.park(id, fields, 'dispatch-failed', message, attempt, event);
    } else {
      this.summary.retrying += 1;
      const kind = failure instanceof DispatchError && !failure.transient ? 'permanent-looking' : 'transient';
      this.options.log.warning(
        `entry ${id} (event ${event.id}): attempt ${attempt} of ${this.options.maxAttempts} failed (${kind}): ${message}. Left pending for a later attempt.`,
      );
    }
  }

  private dispatch(target: RouteTarget, event: CloudEvent, entryId: string): Promise<DispatchResult> {
    return dispatchEvent(this.options.github(target.tokenEnv), target, event, { stream: this.options.stream, entryId });
  }

  private async park(
    id: string,
    fields: string[],
    reason: string,
    error: string,
    deliveries: number,
    event?: CloudEvent,
  ): Promise<void> {
    const { stream, group, deadLetterStream, log } = this.options;
    const extra = [
      'relay-stream',
      stream,
      'relay-entry',
      id,
      'relay-group',
      group,
      'relay-reason',
      reason,
      'relay-error',
      redact(error).slice(0, 2000),
      'relay-deliveries',
      String(deliveries),
      'relay-parked-at',
      new Date().toISOString(),
    ];
    // The original fields first (event, type, id, idempotencykey), so a replay can re-publish them.
    const deadId = await this.scripts.autostackRelayPark(stream, deadLetterStream, group, id, ...fields, ...extra);
    this.summary.deadLettered += 1;
    log.error(
      `entry ${id}${event ? ` (event ${event.id}, type '${event.type}')` : ''} moved to the dead-letter stream ${deadLetterStream} as ${deadId}: ${reason}: ${redact(error)}`,
    );
    this.options.journal?.append({
      type: 'system.touched',
      system: 'redis',
      target: deadLetterStream,
      operation: 'dead-letter',
      id: event?.id ?? id,
    });
  }

  private journal(target: RouteTarget, event: CloudEvent, duplicate: boolean): void {
    this.options.journal?.append({
      type: 'system.touched',
      system: 'github',
      target: describeTarget(target),
      operation: target.kind,
      id: event.id,
      duplicate,
    });
  }

  /**
   * A scheduled relay gets a new consumer name each run: drop ours when it holds nothing, and
   * consumers of earlier runs that hold nothing and have been idle for a while (their entries
   * were reclaimed). A live relay removed by mistake is recreated by its next XREADGROUP.
   */
  private async forgetConsumerIfIdle(): Promise<void> {
    const { client, stream, group, consumer } = this.options;
    const staleMs = Math.max(this.options.minIdleMs, 600_000);
    try {
      const consumers = (await client.xinfo('CONSUMERS', stream, group)) as unknown[][];
      for (const raw of consumers) {
        const info: Record<string, unknown> = {};
        for (let i = 0; i + 1 < raw.length; i += 2) info[String(raw[i])] = raw[i + 1];
        const name = String(info['name']);
        if (Number(info['pending']) !== 0) continue;
        if (name === consumer || Number(info['idle']) >= staleMs)
          await client.xgroup('DELCONSUMER', stream, group, name);
      }
    } catch (error) {
      this.options.log.debug(`could not tidy the consumers of ${group}: ${errorMessage(error)}`);
    }
  }
}
