// The end of a session: the run records record-run steps wrote, and the summary printed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { storedRecordSchema } from '../runs/stored-records.js';
import type { Session } from './session.js';
import type { RecordSummary, SessionResult } from './types.js';

/** A run record read back for the session summary: the shape `runs list` checks, plus the step lists. */
const recordStepCounts = z.looseObject({
  ...storedRecordSchema.shape,
  steps: z.array(z.unknown()).optional(),
  jobSteps: z.array(z.unknown()).nullish(),
});

export function readRecords(session: Session): RecordSummary[] {
  const summaries: RecordSummary[] = [];
  for (const run of session.runs) {
    for (const ref of run.records) {
      if (!existsSync(ref.path)) continue;
      try {
        const record = recordStepCounts.parse(JSON.parse(readFileSync(ref.path, 'utf8')));
        summaries.push({
          runId: ref.runId,
          path: ref.path,
          name: record.name,
          status: record.status,
          // GitHub's view of the job (every step, run: steps included) when record-run could read it.
          steps: record.jobSteps?.length ?? record.steps?.length ?? 0,
          costUsd: record.totals.costUsd,
          job: ref.job,
          workflow: run.file,
        });
      } catch {
        // a record that cannot be read is listed by `autostack runs list` as unreadable
      }
    }
  }
  return summaries;
}

export function printSummary(session: Session, result: SessionResult): void {
  const r = session.reporter;
  r.line();
  r.line('Workflow runs');
  for (const run of result.runs) {
    r.line(
      `  ${run.conclusion.padEnd(9)} ${run.workflow} (${run.file}) on ${run.event}${run.action ? `.${run.action}` : ''}${run.triggeredBy ? ` ← ${run.triggeredBy}` : ''}`,
    );
  }
  const unserved = result.github.filter((entry) => entry.status === 404 || entry.status === 401);
  const writes = result.github.filter((entry) => entry.status < 300 && entry.method !== 'GET');
  if (writes.length > 0 || unserved.length > 0) {
    r.line();
    r.line(`GitHub API (local, ${session.repository})`);
    for (const entry of [...writes, ...unserved])
      r.line(
        `  ${entry.method} ${entry.path} → ${entry.status}: ${entry.summary}${entry.from ? ` (job ${entry.from.job})` : ''}`,
      );
  }
  r.line();
  if (result.records.length === 0) {
    r.line("Run records: none (add your-org/autostack/actions/record-run@v1 as a job's first step)");
  } else {
    r.line('Run records');
    for (const record of result.records) {
      r.line(
        `  ${record.status.padEnd(9)} ${record.runId}  ${record.name}  ${record.steps} steps, $${record.costUsd.toFixed(4)}  ${record.path.replace(`${session.workspace}/`, '')}`,
      );
    }
    const directories = [
      ...new Set(result.records.map((record) => dirname(record.path).replace(`${session.workspace}/`, ''))),
    ];
    r.line(`  list them: autostack runs list --directory ${directories[0]}`);
  }
  r.line();
  r.line(`Result: ${result.conclusion}`);
}
