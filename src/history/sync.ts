import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GitHubClient } from '../github/client.js';
import type { Log } from '../io/io.js';
import { RECORD_FILE_NAME } from '../runs/store.js';
import { storedRecordSchema } from '../runs/stored-records.js';
import { redactDeep } from '../shared/redact.js';
import { errorMessage } from '../shared/errors.js';
import { mapBounded } from '../shared/semaphore.js';
import {
  historyFileName,
  readSyncState,
  recordsDirectory,
  type RepoSyncState,
  type WorkflowRunInfo,
  writeFileAtomic,
  writeSyncState,
} from './store.js';
import { readZipEntry } from '../shared/zip.js';
import { splitRepository } from '../github/repository.js';

export interface SyncOptions {
  repository: string;
  /** Oldest run creation time to look at. */
  since: Date;
  historyDir: string;
  /** Downloads in flight at once: GitHub's secondary rate limits punish bursts. */
  concurrency?: number;
  log: Log;
}

export interface SyncResult {
  runsListed: number;
  runsInspected: number;
  downloaded: number;
  skipped: number;
  /** Record artifacts GitHub had already deleted (past their retention) and this history never fetched. */
  expired: string[];
  failed: Array<{ artifact: string; problem: string }>;
}

interface ApiRun {
  id: number;
  run_attempt?: number | undefined;
  event: string;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  created_at: string;
  actor?: { login: string; type: string } | null | undefined;
  triggering_actor?: { login: string; type: string } | null | undefined;
}

/** What one sync of one repository works with: its target and the state it updates as it goes. */
interface SyncContext {
  client: GitHubClient;
  options: SyncOptions;
  owner: string;
  repo: string;
  doneRuns: Set<number>;
  fetched: Set<number>;
  result: SyncResult;
}

/**
 * Fetches the `autostack-run-*` artifacts of a repository's workflow runs into the local
 * history. Incremental: runs that were complete at an earlier sync are not listed for artifacts
 * again, and artifacts already fetched are never downloaded again.
 */
export async function syncHistory(client: GitHubClient, options: SyncOptions): Promise<SyncResult> {
  const { owner, repo } = splitRepository(options.repository);
  const state = readSyncState(options.historyDir);
  const repoState: RepoSyncState = state.repos[options.repository] ?? { doneRuns: [], fetchedArtifacts: [] };
  const doneRuns = new Set(repoState.doneRuns);
  const fetched = new Set(repoState.fetchedArtifacts);
  const resumeFrom =
    repoState.resumeFrom && Date.parse(repoState.resumeFrom) > options.since.getTime()
      ? repoState.resumeFrom
      : undefined;
  const from = resumeFrom ?? options.since.toISOString();
  mkdirSync(recordsDirectory(options.historyDir), { recursive: true });

  const result: SyncResult = { runsListed: 0, runsInspected: 0, downloaded: 0, skipped: 0, expired: [], failed: [] };
  const context: SyncContext = { client, options, owner, repo, doneRuns, fetched, result };
  const runs = await listRuns(context, from);
  result.runsListed = runs.length;
  let oldestOpen: string | undefined;
  const todo = runs.filter((run) => !doneRuns.has(run.id));
  await mapBounded(todo, options.concurrency ?? 4, async (run) => {
    const complete = run.status === 'completed';
    const allFetched = await inspectRun(context, run);
    if (complete && allFetched) doneRuns.add(run.id);
    else if (!oldestOpen || run.created_at < oldestOpen) oldestOpen = run.created_at;
  });

  state.repos[options.repository] = {
    doneRuns: [...doneRuns].sort((a, b) => a - b),
    fetchedArtifacts: [...fetched].sort((a, b) => a - b),
    // Next time, list from the oldest run that was still open (its artifacts may come later);
    // with none open, from the newest run seen: older runs are all done.
    resumeFrom:
      oldestOpen ??
      runs
        .map((run) => run.created_at)
        .sort()
        .at(-1) ??
      resumeFrom,
    lastSync: new Date().toISOString(),
  };
  writeSyncState(options.historyDir, state);
  return result;
}

/** Every workflow run of the repository created at or after `from`. */
async function listRuns(context: SyncContext, from: string): Promise<ApiRun[]> {
  const { client, owner, repo } = context;
  const runs: ApiRun[] = [];
  for await (const page of client.paginate.iterator(client.rest.actions.listWorkflowRunsForRepo, {
    owner,
    repo,
    created: `>=${from.slice(0, 19)}Z`,
    per_page: 100,
  })) {
    runs.push(...(page.data as ApiRun[]));
  }
  return runs;
}

/**
 * Downloads the run's autostack artifacts not fetched before, counting into the result.
 * Returns whether every one of them is now fetched (a failure is recorded, not thrown).
 */
async function inspectRun(context: SyncContext, run: ApiRun): Promise<boolean> {
  const { client, options, owner, repo, fetched, result } = context;
  result.runsInspected += 1;
  let allFetched = true;
  try {
    const artifacts = await client.paginate(client.rest.actions.listWorkflowRunArtifacts, {
      owner,
      repo,
      run_id: run.id,
      per_page: 100,
    });
    for (const artifact of artifacts) {
      if (!artifact.name.startsWith('autostack-run-')) continue;
      if (artifact.expired && !fetched.has(artifact.id)) {
        // Gone for good: said, never silently skipped, and not retried at the next sync.
        result.expired.push(`${artifact.name} (run ${run.id})`);
        continue;
      }
      if (fetched.has(artifact.id)) {
        result.skipped += 1;
        continue;
      }
      try {
        await fetchArtifact(client, {
          owner,
          repo,
          run,
          artifactId: artifact.id,
          historyDir: options.historyDir,
          repository: options.repository,
        });
        fetched.add(artifact.id);
        result.downloaded += 1;
      } catch (error) {
        allFetched = false;
        result.failed.push({ artifact: artifact.name, problem: errorMessage(error) });
        options.log.warning(`runs sync: could not fetch ${artifact.name} of run ${run.id}: ${errorMessage(error)}`);
      }
    }
  } catch (error) {
    allFetched = false;
    result.failed.push({ artifact: `run ${run.id}`, problem: errorMessage(error) });
  }
  return allFetched;
}

async function fetchArtifact(
  client: GitHubClient,
  target: { owner: string; repo: string; repository: string; run: ApiRun; artifactId: number; historyDir: string },
): Promise<void> {
  const { owner, repo, run } = target;
  const response = await client.rest.actions.downloadArtifact({
    owner,
    repo,
    artifact_id: target.artifactId,
    archive_format: 'zip',
  });
  const zip = Buffer.from(response.data as ArrayBuffer);
  const text = await readZipEntry(zip, RECORD_FILE_NAME);
  if (text === undefined) throw new Error(`the artifact has no ${RECORD_FILE_NAME}`);
  const record = storedRecordSchema.parse(JSON.parse(text));
  const workflowRun: WorkflowRunInfo = {
    id: run.id,
    attempt: run.run_attempt ?? 1,
    event: run.event,
    htmlUrl: run.html_url,
    createdAt: run.created_at,
    conclusion: run.conclusion,
    actor: run.actor?.login,
    actorType: run.actor?.type,
    triggeringActor: run.triggering_actor?.login,
    triggeringActorType: run.triggering_actor?.type,
    artifactId: target.artifactId,
    ...(await readApprovals(client, owner, repo, run.id)),
  };
  const merged = redactDeep({ ...record, workflowRun });
  writeFileAtomic(
    join(recordsDirectory(target.historyDir), historyFileName(target.repository, record.runId)),
    `${JSON.stringify(merged)}\n`,
  );
}

/** Environment approvals of the run and how long its jobs waited for them (best effort). */
async function readApprovals(
  client: GitHubClient,
  owner: string,
  repo: string,
  runId: number,
): Promise<Pick<WorkflowRunInfo, 'approvals' | 'approvalWaitMs'>> {
  try {
    const reviews = await client.rest.actions.getReviewsForRun({ owner, repo, run_id: runId });
    if (reviews.data.length === 0) return {};
    const approvals = reviews.data.map((review) => ({
      user: review.user.login,
      state: review.state,
      environments: review.environments.map((environment) => environment.name ?? ''),
      comment: review.comment || undefined,
    }));
    // GitHub keeps a job that waits on an environment queued: created → started is the wait.
    const jobs = await client.paginate(client.rest.actions.listJobsForWorkflowRun, {
      owner,
      repo,
      run_id: runId,
      per_page: 100,
    });
    const waits = jobs.map((job) => (job.started_at ? Date.parse(job.started_at) - Date.parse(job.created_at) : 0));
    return { approvals, approvalWaitMs: Math.max(0, ...waits) };
  } catch {
    return {};
  }
}

/** `90d`, `12h`, `2w` or an ISO date → the oldest time to sync from. */
export function parseSince(value: string, now: Date = new Date()): Date | undefined {
  const relative = /^(\d+)([hdw])$/.exec(value);
  if (relative) {
    const hours = { h: 1, d: 24, w: 168 }[relative[2] as 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(relative[1]) * hours * 3_600_000);
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}
