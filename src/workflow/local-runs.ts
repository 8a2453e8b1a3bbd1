import { existsSync, readFileSync } from 'node:fs';
import { RECORD_FILE_NAME } from '../runs/store.js';

/**
 * The workflow-runs slice of the local runner's loopback GitHub API: what a parent that waits on
 * a child (emit-event `wait: true`) reads — the run, the runs list, the run's artifacts and their
 * archives. The runner's run records stand for the `autostack-run-*` artifacts a runner would
 * upload; the archive is built on request from the record file.
 */

export interface LocalRunView {
  runId: number;
  name: string;
  displayTitle: string;
  event: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  createdAt: string;
  /** Run records written by the run's record-run steps (autostack run id → file). */
  records: Array<{ runId: string; path: string }>;
}

export interface LocalRunsSource {
  runs(): LocalRunView[];
  /** A parent is asking about this run: start it now if it is still queued (the parent waits on it). */
  wanted(runId: number): void;
}

export interface RunsReply {
  status: number;
  body: unknown;
  summary: string;
  /** Raw bytes (an artifact archive) instead of JSON. */
  bytes?: Buffer | undefined;
}

function runJson(repository: string, run: LocalRunView, apiUrl: string): Record<string, unknown> {
  return {
    id: run.runId,
    name: run.name,
    display_title: run.displayTitle,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    created_at: run.createdAt,
    html_url: `https://github.com/${repository}/actions/runs/${run.runId}`,
    url: `${apiUrl}/repos/${repository}/actions/runs/${run.runId}`,
  };
}

/** Artifact ids are derived, so a record needs no registry: run id × 100 + index. */
function artifactsOf(run: LocalRunView): Array<{ id: number; name: string; path: string }> {
  return run.records
    .filter((record) => existsSync(record.path))
    .map((record, index) => ({
      id: run.runId * 100 + index,
      name: `autostack-run-${record.runId}`,
      path: record.path,
    }));
}

/** Answers a runs/artifacts request, or undefined when the path is not one of these routes. */
export async function serveRuns(
  source: LocalRunsSource,
  repository: string,
  rest: string,
  query: URLSearchParams,
  apiUrl: string,
): Promise<RunsReply | undefined> {
  if (rest === '/actions/runs') {
    const event = query.get('event');
    const runs = source.runs().filter((run) => !event || run.event === event);
    for (const run of runs) source.wanted(run.runId);
    return {
      status: 200,
      body: { total_count: runs.length, workflow_runs: runs.map((run) => runJson(repository, run, apiUrl)) },
      summary: 'list workflow runs',
    };
  }
  const single = /^\/actions\/runs\/(\d+)$/.exec(rest);
  if (single) {
    const runId = Number(single[1]);
    source.wanted(runId);
    const run = source.runs().find((candidate) => candidate.runId === runId);
    if (!run) return undefined;
    return { status: 200, body: runJson(repository, run, apiUrl), summary: `read run ${runId}` };
  }
  const artifacts = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(rest);
  if (artifacts) {
    const run = source.runs().find((candidate) => candidate.runId === Number(artifacts[1]));
    if (!run) return undefined;
    const list = artifactsOf(run).map(({ id, name }) => ({
      id,
      name,
      expired: false,
      archive_download_url: `${apiUrl}/repos/${repository}/actions/artifacts/${id}/zip`,
    }));
    return {
      status: 200,
      body: { total_count: list.length, artifacts: list },
      summary: `list artifacts of run ${run.runId}`,
    };
  }
  const download = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(rest);
  if (download) {
    const id = Number(download[1]);
    const found = source
      .runs()
      .flatMap(artifactsOf)
      .find((artifact) => artifact.id === id);
    if (!found) return undefined;
    const { zipSync } = await import('fflate');
    const bytes = Buffer.from(zipSync({ [RECORD_FILE_NAME]: new Uint8Array(readFileSync(found.path)) }));
    return { status: 200, body: undefined, bytes, summary: `download artifact ${found.name}` };
  }
  return undefined;
}
