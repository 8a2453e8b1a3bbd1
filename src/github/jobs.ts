import type { GitHubClient } from './client.js';
import { describeGitHubError } from './errors.js';
import { parseRepository } from './repository.js';

/** A step of the job as GitHub's jobs API reports it: covers plain run: steps too. */
export interface JobStep {
  number: number;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt?: string | undefined;
  durationMs?: number | undefined;
}

export interface CurrentJobQuery {
  repository: string;
  runId: string;
  runAttempt: string;
  /** The runner this process runs on: the one in-progress job it is running. */
  runnerName?: string | undefined;
  jobKey?: string | undefined;
}

/**
 * Reads GitHub's view of the job we are in, so the run record can report plain run: steps and
 * the job's real status. Needs `actions: read`. Returns undefined (never throws) when the API
 * cannot tell us, because a missing permission must not cost the user their record.
 */
export async function readCurrentJobSteps(
  client: GitHubClient,
  query: CurrentJobQuery,
): Promise<{ steps: JobStep[]; jobName: string } | { problem: string }> {
  const parsed = parseRepository(query.repository);
  if (!parsed) return { problem: `GITHUB_REPOSITORY '${query.repository}' is not owner/repo` };
  const { owner, repo } = parsed;
  try {
    const jobs = await client.paginate(client.rest.actions.listJobsForWorkflowRunAttempt, {
      owner,
      repo,
      run_id: Number(query.runId),
      attempt_number: Number(query.runAttempt),
      per_page: 100,
    });
    const running = jobs.filter((job) => job.status === 'in_progress');
    const job =
      running.find((candidate) => query.runnerName !== undefined && candidate.runner_name === query.runnerName) ??
      (running.length === 1 ? running[0] : undefined);
    if (!job) return { problem: `could not tell which of ${jobs.length} jobs of run ${query.runId} is this one` };
    const steps: JobStep[] = (job.steps ?? []).map((step) => ({
      number: step.number,
      name: step.name,
      status: step.status,
      conclusion: step.conclusion,
      startedAt: step.started_at ?? undefined,
      durationMs:
        step.started_at && step.completed_at ? Date.parse(step.completed_at) - Date.parse(step.started_at) : undefined,
    }));
    return { steps, jobName: job.name };
  } catch (error) {
    return { problem: describeGitHubError(`GET the jobs of run ${query.runId}`, error, 'actions: read') };
  }
}
