import type { Log } from '../io/io.js';
import { UserError } from '../shared/errors.js';
import type { GitHubClient } from './client.js';
import { splitRepository } from './repository.js';

/**
 * Waiting for a workflow run that autostack started (a "child"): find it, then poll it until it
 * completes. A child is known either by the run id GitHub returned (workflow_dispatch with
 * return_run_details) or, where GitHub returns none (repository_dispatch; GHES answering 400 to
 * return_run_details), by a correlation id we control — the event id — that the receiving
 * workflow puts in its `run-name` (GitHub's `display_title`). See docs/composition.md.
 *
 * Polling backs off (×1.5 up to maxPollMs) and keeps well inside the REST rate limit: when
 * x-ratelimit-remaining drops under a reserve it waits for the reset (bounded by the deadline).
 */

export interface ChildRef {
  /** owner/repo the child runs in. */
  repository: string;
  /** Known when GitHub returned run details. */
  runId?: number | undefined;
  /** The event id the child's run-name carries; used when runId is unknown. */
  correlationId?: string | undefined;
  /** Narrows the run search: repository_dispatch or workflow_dispatch. */
  event?: 'repository_dispatch' | 'workflow_dispatch' | undefined;
  /** When the dispatch was sent: runs created earlier are not candidates (with a little slack). */
  since: Date;
}

export interface ChildRun {
  repository: string;
  runId: number;
  url: string;
  status: string;
  /** success, failure, cancelled, timed_out, …; undefined while the run has not completed. */
  conclusion: string | undefined;
}

export interface WaitOptions {
  /** Absolute time (ms since epoch) after which waiting fails. */
  deadline: number;
  /** First poll interval; default 10 s (AUTOSTACK_WAIT_POLL_MS overrides, for tests and the local runner). */
  pollMs?: number | undefined;
  maxPollMs?: number | undefined;
  log: Log;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  now?: (() => number) | undefined;
}

/** A wait that ran out of time; the message says what was still missing. */
export class WaitTimeoutError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** Requests kept in reserve for everything else the job does with the same token. */
const RATE_LIMIT_RESERVE = 100;
/** Clock skew between the runner and GitHub, and the time between the dispatch and our timestamp. */
const SINCE_SLACK_MS = 2 * 60_000;

interface RunJson {
  id: number;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  display_title?: string | undefined;
  name?: string | null | undefined;
  created_at: string;
}

export function defaultPollMs(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.AUTOSTACK_WAIT_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 10_000;
}

/** Polls `probe` with backoff until it returns a value or the deadline passes. */
async function poll<T>(
  probe: () => Promise<{ value?: T; remaining?: number; resetAt?: number }>,
  options: WaitOptions,
  what: () => string,
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const maxPoll = options.maxPollMs ?? 60_000;
  let interval = options.pollMs ?? defaultPollMs();
  for (;;) {
    const result = await probe();
    if (result.value !== undefined) return result.value;
    let pause = interval;
    if (result.remaining !== undefined && result.remaining < RATE_LIMIT_RESERVE && result.resetAt !== undefined) {
      pause = Math.max(pause, result.resetAt * 1000 - now());
      options.log.warning(
        `GitHub API requests are running low (${result.remaining} left); waiting for the rate-limit reset before polling again.`,
      );
    }
    const left = options.deadline - now();
    if (left <= 0) throw new WaitTimeoutError(what());
    await sleep(Math.min(pause, left));
    interval = Math.min(maxPoll, Math.round(interval * 1.5));
  }
}

function rateOf(headers: Record<string, unknown>): { remaining?: number; resetAt?: number } {
  const remaining = Number(headers['x-ratelimit-remaining']);
  const resetAt = Number(headers['x-ratelimit-reset']);
  return { ...(Number.isFinite(remaining) ? { remaining } : {}), ...(Number.isFinite(resetAt) ? { resetAt } : {}) };
}

/** Finds the child run by its correlation id in the run name, among runs created since the dispatch. */
export async function findChildRun(client: GitHubClient, ref: ChildRef, options: WaitOptions): Promise<number> {
  if (ref.runId !== undefined) return ref.runId;
  const correlationId = ref.correlationId;
  if (!correlationId)
    throw new UserError(
      'Cannot wait for the child run: GitHub returned no run id and there is no correlation id to look for.',
    );
  const { owner, repo } = splitRepository(ref.repository);
  const created = `>=${new Date(ref.since.getTime() - SINCE_SLACK_MS).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  return poll(
    async () => {
      const response = await client.request('GET /repos/{owner}/{repo}/actions/runs', {
        owner,
        repo,
        created,
        per_page: 100,
        ...(ref.event ? { event: ref.event } : {}),
      });
      const runs = response.data.workflow_runs as RunJson[];
      const match = runs.find((run) => (run.display_title ?? '').includes(correlationId));
      return { value: match?.id, ...rateOf(response.headers) };
    },
    options,
    () =>
      `No workflow run in ${ref.repository} has the event id ${correlationId} in its name. ` +
      'A workflow started by repository_dispatch must carry it in run-name, e.g. run-name: "deploy ${{ github.event.client_payload.autostack.id }}" (see docs/composition.md).',
  );
}

/** Polls a run until it has completed; returns its conclusion. */
export async function waitForRun(
  client: GitHubClient,
  repository: string,
  runId: number,
  options: WaitOptions,
): Promise<ChildRun> {
  const { owner, repo } = splitRepository(repository);
  let last: RunJson | undefined;
  return poll(
    async () => {
      const response = await client.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
        owner,
        repo,
        run_id: runId,
      });
      last = response.data;
      const done = last.status === 'completed';
      return {
        value: done
          ? { repository, runId, url: last.html_url, status: 'completed', conclusion: last.conclusion ?? undefined }
          : undefined,
        ...rateOf(response.headers),
      };
    },
    options,
    () =>
      `Run ${runId} in ${repository} had not completed when the wait ran out (last status: ${last?.status ?? 'unknown'}; ${last?.html_url ?? ''}).`,
  );
}

/** Finds the child (when needed) and waits for it to complete. */
export async function awaitChildRun(client: GitHubClient, ref: ChildRef, options: WaitOptions): Promise<ChildRun> {
  const runId = await findChildRun(client, ref, options);
  options.log.info(`Waiting for run ${runId} in ${ref.repository}…`);
  return waitForRun(client, ref.repository, runId, options);
}
