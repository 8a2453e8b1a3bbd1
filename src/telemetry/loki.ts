import type { RunRecord } from '../runs/record.js';
import { traceIdFor } from './spans.js';

/**
 * Journal events as Loki log lines (push API, JSON). Labels stay few and low-cardinality —
 * automation, status, repository — because every label value makes a new stream; run id,
 * step, event type and trace id go in structured metadata, queryable without indexing.
 */
export function lokiPushBody(record: RunRecord): string {
  const traceId = traceIdFor(record);
  const values = record.events.map((event) => {
    const ns = BigInt(Date.parse(event.ts)) * 1_000_000n;
    const metadata: Record<string, string> = { run_id: record.runId, event_type: event.type, trace_id: traceId };
    if (event.step) metadata.step = event.step;
    if (event.type === 'log') metadata.level = event.level;
    if (record.github.runId) metadata.github_run_id = record.github.runId;
    return [ns.toString(), JSON.stringify(event), metadata];
  });
  return JSON.stringify({
    streams: [
      {
        stream: {
          service_name: 'autostack',
          automation: record.name,
          status: record.status,
          repository: record.github.repository ?? 'local',
        },
        values,
      },
    ],
  });
}
