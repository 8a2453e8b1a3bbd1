/** Route handlers of the Actions API: workflow runs, jobs, workflows, artifacts, and both dispatches. */
import { parse as parseYaml } from 'yaml';
import { type Ctx, intParam, ok, paginate, R, type Route } from './context.js';
import { artifactJson, createdFilter, runJson, workflowJson } from './json.js';
import {
  DOCS,
  findWorkflow,
  ghError,
  HTML,
  isRecord,
  newRun,
  nodeId,
  notFound,
  resolveCommit,
  str,
  userJson,
  type World,
} from './model.js';
import type { ApiJob, ArtifactModel, CommitModel, Reply, RunModel, WorkflowDispatchRecord } from './types.js';

function listRuns(c: Ctx): Reply {
  const inCreated = createdFilter(c.req.query['created']);
  const event = c.req.query['event'];
  const runs = [...c.world.state.runs.values()]
    .filter(
      (run) =>
        run.repo.toLowerCase() === c.repo.fullName.toLowerCase() &&
        (!event || run.event === event) &&
        inCreated(run.createdAt),
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
  const page = paginate(c, runs);
  return ok({ total_count: runs.length, workflow_runs: page.items.map((run) => runJson(c.world, run)) }, page.headers);
}

function findArtifact(world: World, id: number): { run: RunModel; artifact: ArtifactModel } | undefined {
  for (const run of world.state.runs.values()) {
    const artifact = run.artifacts.find((a) => a.id === id);
    if (artifact) return { run, artifact };
  }
  return undefined;
}
function listJobs(c: Ctx, attempt: number | 'latest' | 'all'): Reply {
  const run = c.world.state.runs.get(intParam(c, 'run_id'));
  if (!run) throw notFound(`${DOCS}/actions/workflow-jobs#list-jobs-for-a-workflow-run`);
  let jobs: ApiJob[];
  if (attempt === 'all') {
    jobs = [...run.attempts.keys()].sort((a, b) => a - b).flatMap((a) => run.attempts.get(a) ?? []);
  } else {
    const n = attempt === 'latest' ? Math.max(1, ...run.attempts.keys()) : attempt;
    const found = run.attempts.get(n);
    if (!found && attempt !== 'latest')
      throw notFound(`${DOCS}/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt`);
    jobs = found ?? [];
  }
  const page = paginate(c, jobs);
  return ok({ total_count: jobs.length, jobs: page.items }, page.headers);
}

const DISPATCH_DOC = `${DOCS}/repos/repos#create-a-repository-dispatch-event`;
const WF_DISPATCH_DOC = `${DOCS}/actions/workflows#create-a-workflow-dispatch-event`;

/** repository_dispatch, with GitHub's schema limits: event_type ≤ 100 chars, ≤ 10 payload keys, < 64 KB. */
function repositoryDispatch(c: Ctx): Reply {
  const eventType = c.body['event_type'];
  if (typeof eventType !== 'string' || eventType.length === 0) {
    throw ghError(422, 'Invalid request.\n\n"event_type" wasn\'t supplied.', DISPATCH_DOC);
  }
  if (eventType.length > 100) {
    throw ghError(422, 'Invalid request.\n\nevent_type is too long (maximum is 100 characters).', DISPATCH_DOC);
  }
  const payload = c.body['client_payload'] ?? {};
  if (!isRecord(payload)) {
    throw ghError(422, "Invalid request.\n\nFor 'properties/client_payload', it is not an object.", DISPATCH_DOC);
  }
  const keys = Object.keys(payload).length;
  if (keys > 10) {
    throw ghError(
      422,
      `Invalid request.\n\nNo more than 10 properties are allowed; ${keys} were supplied.`,
      DISPATCH_DOC,
    );
  }
  if (Buffer.byteLength(JSON.stringify(payload)) >= 65_536) {
    throw ghError(422, 'Invalid request.\n\nclient_payload is too large (maximum is 64 KB).', DISPATCH_DOC);
  }
  const record = { repo: c.repo.fullName, event_type: eventType, client_payload: payload, headers: c.req.headers };
  c.world.state.dispatches.push(record);
  c.onDispatch(record, {});
  return { status: 204 };
}

/**
 * Declared workflow_dispatch inputs of the workflow file in a commit: undefined when the file is
 * absent or unparsable (then any input is accepted), null when it has no workflow_dispatch trigger.
 */
function declaredInputsAt(commit: CommitModel, path: string): string[] | null | undefined {
  const blob = commit.files.get(path);
  if (!blob) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(blob.content.toString('utf8'));
  } catch {
    return undefined;
  }
  const on = isRecord(doc) ? doc['on'] : undefined;
  if (on === 'workflow_dispatch' || (Array.isArray(on) && on.includes('workflow_dispatch'))) return [];
  if (!isRecord(on) || !('workflow_dispatch' in on)) return null;
  const trigger = on['workflow_dispatch'];
  const inputs = isRecord(trigger) ? trigger['inputs'] : undefined;
  return isRecord(inputs) ? Object.keys(inputs) : [];
}

/** workflow_dispatch: ≤ 25 inputs, declared inputs only (when declared), optional run details. */
function workflowDispatch(c: Ctx): Reply {
  const wf = findWorkflow(c.world, c.repo, c.params['workflow_id'] ?? '');
  if (!wf) throw notFound(WF_DISPATCH_DOC);
  const ref = str(c.body, 'ref');
  if (!ref) throw ghError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.', WF_DISPATCH_DOC);
  const commit = resolveCommit(c.repo, ref);
  if (!commit) throw ghError(422, `No ref found for: ${ref}`, WF_DISPATCH_DOC);
  const inputs = c.body['inputs'] ?? {};
  if (!isRecord(inputs))
    throw ghError(422, "Invalid request.\n\nFor 'properties/inputs', it is not an object.", WF_DISPATCH_DOC);
  const count = Object.keys(inputs).length;
  if (count > 25)
    throw ghError(
      422,
      `Invalid request.\n\nNo more than 25 properties are allowed; ${count} were supplied.`,
      WF_DISPATCH_DOC,
    );
  if (JSON.stringify(inputs).length > 65_535) throw ghError(422, 'inputs are too large.', WF_DISPATCH_DOC);
  // Like GitHub: the workflow file at the ref decides (its on.workflow_dispatch.inputs), unless
  // the test declared the inputs with addWorkflow.
  const declared = wf.inputs ?? declaredInputsAt(commit, wf.path);
  if (declared === null) throw ghError(422, "Workflow does not have 'workflow_dispatch' trigger", WF_DISPATCH_DOC);
  if (declared) {
    const unexpected = Object.keys(inputs).filter((k) => !declared.includes(k));
    if (unexpected.length > 0)
      throw ghError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`, WF_DISPATCH_DOC);
  }
  const details = c.body['return_run_details'] === true;
  const record: WorkflowDispatchRecord = {
    repo: c.repo.fullName,
    workflow_id: wf.id,
    workflow_path: wf.path,
    ref,
    inputs,
    return_run_details: details,
    run_id: c.world.nextId++,
    headers: c.req.headers,
  };
  // Whoever acts on the dispatch (the local runner) may name the run it starts.
  record.run_id = c.onDispatch(record, { workflow: c.params['workflow_id'] ?? '' })?.runId ?? record.run_id;
  const run = newRun(c.world, c.repo, {
    id: record.run_id,
    name: wf.name,
    workflowId: wf.id,
    event: 'workflow_dispatch',
    headBranch: ref.replace(/^refs\/heads\//, ''),
    headSha: commit.sha,
  });
  c.world.state.workflowDispatches.push(record);
  if (!details) return { status: 204 };
  return ok({
    workflow_run_id: run.id,
    run_url: `${c.world.url}/repos/${c.repo.fullName}/actions/runs/${run.id}`,
    html_url: `${HTML}/${c.repo.fullName}/actions/runs/${run.id}`,
  });
}
/** Actions: runs, jobs, workflows, artifacts, approvals. */
export const ACTIONS_ROUTES: Route[] = [
  [
    'GET',
    `${R}/actions/runs/{run_id}`,
    (c) => {
      const run = c.world.state.runs.get(intParam(c, 'run_id'));
      if (!run) throw notFound(`${DOCS}/actions/workflow-runs#get-a-workflow-run`);
      return ok(runJson(c.world, run));
    },
  ],
  ['GET', `${R}/actions/runs/{run_id}/jobs`, (c) => listJobs(c, c.req.query['filter'] === 'all' ? 'all' : 'latest')],
  ['GET', `${R}/actions/runs/{run_id}/attempts/{attempt}/jobs`, (c) => listJobs(c, intParam(c, 'attempt'))],
  [
    'GET',
    `${R}/actions/jobs/{job_id}`,
    (c) => {
      const id = intParam(c, 'job_id');
      for (const run of c.world.state.runs.values()) {
        for (const jobs of run.attempts.values()) for (const job of jobs) if (job.id === id) return ok(job);
      }
      throw notFound(`${DOCS}/actions/workflow-jobs#get-a-job-for-a-workflow-run`);
    },
  ],
  [
    'GET',
    `${R}/actions/workflows/{workflow_id}`,
    (c) => {
      const wf = findWorkflow(c.world, c.repo, c.params['workflow_id'] ?? '');
      if (!wf) throw notFound(`${DOCS}/actions/workflows#get-a-workflow`);
      return ok(workflowJson(c.world, c.repo, wf));
    },
  ],
  ['GET', `${R}/actions/runs`, listRuns],
  [
    'GET',
    `${R}/actions/runs/{run_id}/artifacts`,
    (c) => {
      const run = c.world.state.runs.get(intParam(c, 'run_id'));
      if (!run) throw notFound(`${DOCS}/actions/artifacts#list-workflow-run-artifacts`);
      const page = paginate(c, run.artifacts);
      return ok(
        { total_count: run.artifacts.length, artifacts: page.items.map((a) => artifactJson(c.world, run, a)) },
        page.headers,
      );
    },
  ],
  [
    'GET',
    `${R}/actions/artifacts/{artifact_id}`,
    (c) => {
      const found = findArtifact(c.world, intParam(c, 'artifact_id'));
      if (!found) throw notFound(`${DOCS}/actions/artifacts#get-an-artifact`);
      return ok(artifactJson(c.world, found.run, found.artifact));
    },
  ],
  // GitHub answers 302 to a short-lived signed storage URL; the client follows it.
  [
    'GET',
    `${R}/actions/artifacts/{artifact_id}/{archive_format}`,
    (c) => {
      const found = findArtifact(c.world, intParam(c, 'artifact_id'));
      if (!found || c.params['archive_format'] !== 'zip')
        throw notFound(`${DOCS}/actions/artifacts#download-an-artifact`);
      if (found.artifact.expired)
        throw ghError(410, 'Artifact has expired', `${DOCS}/actions/artifacts#download-an-artifact`);
      return { status: 302, headers: { location: `${c.world.url}/_artifact-blobs/${found.artifact.id}.zip?sig=fake` } };
    },
  ],
  [
    'GET',
    `${R}/actions/runs/{run_id}/approvals`,
    (c) => {
      const run = c.world.state.runs.get(intParam(c, 'run_id'));
      if (!run) throw notFound(`${DOCS}/actions/workflow-runs#get-the-review-history-for-a-workflow-run`);
      return ok(
        run.approvals.map((a) => ({
          state: a.state,
          comment: a.comment ?? '',
          environments: a.environments.map((name, index) => ({
            id: index + 1,
            node_id: nodeId('EN', index + 1),
            name,
            url: `${c.world.url}/repos/${run.repo}/environments/${name}`,
            html_url: `${HTML}/${run.repo}/deployments/activity_log?environments_filter=${name}`,
            created_at: run.createdAt,
            updated_at: run.createdAt,
          })),
          user: userJson(a.user),
        })),
      );
    },
  ],
];

export const DISPATCH_ROUTES: Route[] = [
  ['POST', `${R}/dispatches`, repositoryDispatch],
  ['POST', `${R}/actions/workflows/{workflow_id}/dispatches`, workflowDispatch],
];
