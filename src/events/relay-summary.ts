import type { RouteTarget } from './routing.js';

/** What a relay run did (see relay.ts), and how it is described in logs and the final line. */

export interface RelaySummary {
  /** Entries looked at (new, own pending, reclaimed). */
  read: number;
  dispatched: number;
  /** Dispatches skipped because the marker said they had been done. */
  duplicates: number;
  deadLettered: number;
  /** Entries whose dispatch failed and that stay pending for another attempt. */
  retrying: number;
  /** Events no route matched, acknowledged because the routing file says unrouted: skip. */
  unrouted: number;
  /** Pending entries that had been trimmed from the stream before they could be relayed. */
  trimmed: number;
  acked: number;
  /** Entries read but not started when a stop was requested, handed back to the group at once. */
  released: number;
  /** Child runs started by workflow_dispatch (when GitHub returned run details). */
  runs: Array<{
    entry: string;
    eventId: string;
    repository: string;
    runId?: number | undefined;
    htmlUrl?: string | undefined;
  }>;
}

export function emptyRelaySummary(): RelaySummary {
  return {
    read: 0,
    dispatched: 0,
    duplicates: 0,
    deadLettered: 0,
    retrying: 0,
    unrouted: 0,
    trimmed: 0,
    acked: 0,
    released: 0,
    runs: [],
  };
}

export function describeTarget(target: RouteTarget): string {
  return target.kind === 'repository_dispatch'
    ? `${target.repository} repository_dispatch`
    : `${target.repository} workflow ${target.workflow}`;
}

export function formatSummary(summary: RelaySummary): string {
  const parts = [
    `dispatched ${summary.dispatched}`,
    `duplicates skipped ${summary.duplicates}`,
    `dead-lettered ${summary.deadLettered}`,
    `left pending for retry ${summary.retrying}`,
  ];
  if (summary.unrouted) parts.push(`unrouted (skipped) ${summary.unrouted}`);
  if (summary.trimmed) parts.push(`trimmed before relaying ${summary.trimmed}`);
  if (summary.released) parts.push(`released unstarted on stop ${summary.released}`);
  return `relay: ${summary.read} entr${summary.read === 1 ? 'y' : 'ies'} read; ${parts.join(', ')}`;
}
