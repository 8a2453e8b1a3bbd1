import { readFileSync } from 'node:fs';
import type { RecordStep, RunRecord } from '../runs/record.js';
import type { WorkflowRunInfo } from './store.js';

/** A run record as read back from the history: any version may lack a field, so all are optional. */
export type StoredRun = Partial<Omit<RunRecord, 'steps'>> & {
  runId: string;
  name: string;
  status: string;
  startedAt: string;
  durationMs: number;
  steps?: RecordStep[] | undefined;
  workflowRun?: WorkflowRunInfo | undefined;
};

/** Parses one record file; undefined when it is not a run record (reported by the caller). */
export function readStoredRun(path: string): StoredRun | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (
      typeof value.runId !== 'string' ||
      typeof value.name !== 'string' ||
      typeof value.status !== 'string' ||
      typeof value.startedAt !== 'string'
    )
      return undefined;
    // In place, not a copy: the dashboard reads 100,000 of these and a copy doubles the garbage.
    if (typeof value.durationMs !== 'number') value.durationMs = 0;
    return value as StoredRun;
  } catch {
    return undefined;
  }
}

/** Where a person can open the run on GitHub. */
export function runUrl(run: StoredRun): string | undefined {
  return run.workflowRun?.htmlUrl ?? run.github?.runUrl;
}

/** The prompt version a run used: run-prompt logs it with `data.promptVersion`. */
export function promptVersions(run: StoredRun): string[] {
  const versions = new Set<string>();
  for (const event of run.events ?? []) {
    if (event.type !== 'log' || typeof event.data !== 'object' || event.data === null) continue;
    const version = (event.data as { promptVersion?: unknown }).promptVersion;
    if (typeof version === 'string') versions.add(version);
  }
  return [...versions];
}

/**
 * Why a person had to step in, from the record and from what GitHub showed at sync time:
 * a re-run, a manual dispatch by a person, an environment approval, `autostack log --intervention`.
 */
export function interventionsOf(run: StoredRun): string[] {
  const found = new Set(run.interventions ?? []);
  const info = run.workflowRun;
  if (info) {
    if (info.attempt > 1)
      found.add(`${info.triggeringActor ?? 'someone'}: re-ran the workflow (attempt ${info.attempt})`);
    if (
      info.event === 'workflow_dispatch' &&
      info.triggeringActorType !== 'Bot' &&
      !(info.triggeringActor ?? '').endsWith('[bot]')
    ) {
      found.add(`${info.triggeringActor ?? info.actor ?? 'someone'}: started the run by hand (workflow_dispatch)`);
    }
    for (const approval of info.approvals ?? []) {
      const wait =
        info.approvalWaitMs !== undefined ? ` after ${Math.round(info.approvalWaitMs / 1000)} s waiting` : '';
      found.add(`${approval.user}: ${approval.state} environment ${approval.environments.join(', ')}${wait}`);
    }
  }
  // The record's own entry for a manual dispatch by the GITHUB_TOKEN bot (an autostack dispatch
  // chain) is not a person stepping in.
  return [...found].filter((entry) => !/^[^:]*\[bot\]: started the run by hand/.test(entry));
}
