// The expression contexts and the process environment of a step, built the way the runner
// builds them: github/runner values come from the run, and the runner's own GITHUB_*/RUNNER_*
// variables are applied last, so neither step env: nor GITHUB_ENV can overwrite them.
import { join } from 'node:path';
import type { Contexts, Json, StatusState } from './expressions.js';
import type { JobPlan, LoadedWorkflow } from './load.js';
import type { Session } from './session.js';
import type { EventFacts, JobRuntime, RunEvent, RunScope } from './types.js';
import { splitRepository } from '../github/repository.js';

const HOST_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ', 'SHELL'];
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);

function record(value: Json | undefined): Record<string, Json> {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : '';
}

/**
 * github.ref, head_ref, base_ref and actor as GitHub derives them from the event: a pull_request
 * runs on refs/pull/N/merge with the head and base branches of the payload (pull_request_target
 * on the base branch), and the actor is the payload's sender.
 */
export function eventFacts(session: Session, eventName: string, payload: Json): EventFacts {
  const event = record(payload);
  const pull = record(event.pull_request);
  const actor = text(record(event.sender).login) || 'octocat';
  let ref = session.ref;
  let headRef = '';
  let baseRef = '';
  if (PULL_REQUEST_EVENTS.has(eventName) || eventName === 'pull_request_target') {
    headRef = text(record(pull.head).ref);
    baseRef = text(record(pull.base).ref);
    const number =
      typeof pull.number === 'number' ? pull.number : typeof event.number === 'number' ? event.number : undefined;
    if (eventName === 'pull_request_target' && baseRef) ref = `refs/heads/${baseRef}`;
    else if (PULL_REQUEST_EVENTS.has(eventName) && number !== undefined) ref = `refs/pull/${number}/merge`;
  }
  return { ref, refName: ref.replace(/^refs\/(heads|tags|pull)\//, ''), headRef, baseRef, actor };
}

export function githubContext(
  session: Session,
  workflow: LoadedWorkflow,
  scope: RunEvent & Pick<RunScope, 'runId'>,
  token = '',
  job = '',
): Record<string, Json> {
  const { owner } = splitRepository(session.repository);
  const { facts } = scope;
  return {
    action: '',
    action_path: '',
    actor: facts.actor,
    api_url: session.github.url,
    base_ref: facts.baseRef,
    event: scope.payload,
    event_name: scope.eventName,
    event_path: scope.eventPath,
    graphql_url: `${session.github.url}/graphql`,
    head_ref: facts.headRef,
    job,
    ref: facts.ref,
    ref_name: facts.refName,
    ref_type: 'branch',
    repository: session.repository,
    repository_owner: owner,
    retention_days: '90',
    run_attempt: '1',
    run_id: String(scope.runId),
    run_number: String(session.runNumber),
    server_url: 'https://github.com',
    sha: session.sha,
    token,
    triggering_actor: facts.actor,
    workflow: workflow.name,
    workflow_ref: `${session.repository}/${workflow.display}@${facts.ref}`,
    workspace: session.workspace,
  };
}

export function secretsContext(scope: RunScope, token: string): Record<string, Json> {
  return { ...scope.secrets, GITHUB_TOKEN: token, github_token: token };
}

export function needsContext(scope: RunScope, plan: JobPlan): Record<string, Json> {
  const needs: Record<string, Json> = {};
  for (const id of plan.needs) {
    const job = scope.jobs.get(id);
    needs[id] = { outputs: job?.outputs ?? {}, result: job?.result ?? 'skipped' };
  }
  return needs;
}

/** What a job's `strategy:`, `if:` and `name:` see before it has a token or steps. */
export function jobContexts(session: Session, scope: RunScope, plan: JobPlan): Contexts {
  return {
    github: githubContext(session, scope.workflow, scope, '', plan.id),
    needs: needsContext(scope, plan),
    inputs: scope.inputs,
    vars: session.options.vars ?? {},
  };
}

/** A job's status functions look at every job it needs, directly or not. */
export function jobStatus(session: Session, scope: RunScope, plan: JobPlan): StatusState {
  const ancestors = new Set<string>();
  const byId = new Map(scope.workflow.jobs.map((job) => [job.id, job]));
  const visit = (id: string) => {
    for (const need of byId.get(id)?.needs ?? []) {
      if (!ancestors.has(need)) {
        ancestors.add(need);
        visit(need);
      }
    }
  };
  visit(plan.id);
  const results = [...ancestors].map((id) => scope.jobs.get(id)?.result ?? 'skipped');
  return {
    success: results.every((result) => result === 'success'),
    failure: results.some((result) => result === 'failure'),
    cancelled: session.cancelled,
  };
}

export function runnerContext(session: Session, runtime: JobRuntime): Record<string, Json> {
  return {
    os: 'Linux',
    arch: process.arch === 'arm64' ? 'ARM64' : 'X64',
    name: runtime.jobsApi.runner_name,
    temp: join(runtime.temp, 'temp'),
    tool_cache: join(session.root, 'tool-cache'),
    environment: 'self-hosted',
  };
}

export function isCancelled(session: Session, runtime: JobRuntime): boolean {
  return session.cancelled || runtime.cancelledBy !== undefined;
}

export function stepContexts(session: Session, runtime: JobRuntime, extra: Record<string, Json>): Contexts {
  const { scope, plan, token } = runtime;
  const steps: Record<string, Json> = {};
  for (const [id, step] of Object.entries(runtime.steps))
    steps[id] = { outputs: step.outputs, outcome: step.outcome, conclusion: step.conclusion };
  return {
    github: { ...githubContext(session, scope.workflow, scope, token, plan.id), ...extra },
    env: { ...runtime.env, ...runtime.exported },
    job: { status: isCancelled(session, runtime) ? 'cancelled' : runtime.failed ? 'failure' : 'success' },
    steps,
    runner: runnerContext(session, runtime),
    secrets: secretsContext(scope, token),
    needs: needsContext(scope, plan),
    inputs: scope.inputs,
    vars: session.options.vars ?? {},
    strategy: runtime.strategy,
    matrix: runtime.matrix,
  };
}

/** Status functions inside a job: a cancelled job (Ctrl-C, timeout, fail-fast) is not a failed one. */
export function stepStatus(session: Session, runtime: JobRuntime): StatusState {
  const cancelled = isCancelled(session, runtime);
  return { success: !runtime.failed && !cancelled, failure: runtime.failed && !cancelled, cancelled };
}

/** The variables the runner derives from the github and runner contexts; they win over env: and GITHUB_ENV. */
function runtimeVariables(session: Session, runtime: JobRuntime): Record<string, string> {
  const { scope, plan } = runtime;
  const { owner } = splitRepository(session.repository);
  const workflow = scope.callerWorkflow ?? scope.workflow;
  const { facts } = scope;
  return {
    GITHUB_ACTOR: facts.actor,
    GITHUB_API_URL: session.github.url,
    GITHUB_GRAPHQL_URL: `${session.github.url}/graphql`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_BASE_REF: facts.baseRef,
    GITHUB_HEAD_REF: facts.headRef,
    GITHUB_EVENT_NAME: scope.eventName,
    GITHUB_EVENT_PATH: scope.eventPath,
    GITHUB_JOB: plan.id,
    GITHUB_REF: facts.ref,
    GITHUB_REF_NAME: facts.refName,
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REPOSITORY: session.repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: String(scope.runId),
    GITHUB_RUN_NUMBER: String(scope.runNumber),
    GITHUB_SHA: session.sha,
    GITHUB_TRIGGERING_ACTOR: facts.actor,
    GITHUB_WORKFLOW: workflow.name,
    GITHUB_WORKFLOW_REF: `${session.repository}/${workflow.display}@${facts.ref}`,
    GITHUB_WORKSPACE: session.workspace,
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_NAME: runtime.jobsApi.runner_name,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: join(runtime.temp, 'temp'),
    RUNNER_TOOL_CACHE: join(session.root, 'tool-cache'),
    RUNNER_ENVIRONMENT: 'self-hosted',
  };
}

/**
 * A step's process environment: host basics, --env, CI flags, then the job's env (workflow, job,
 * GITHUB_ENV exports, the step's env:), then the environment files, and last the runner's own
 * GITHUB_ and RUNNER_ variables, as the runner applies them (ScriptHandler: context variables last).
 */
export function processEnv(
  session: Session,
  runtime: JobRuntime,
  files: Record<string, string>,
  stepEnv: Record<string, string>,
  action: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of HOST_ENV) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  // A parent waiting on a child it dispatched (emit-event wait) polls the loopback API: no need for GitHub's 10 s.
  env.AUTOSTACK_WAIT_POLL_MS = '250';
  Object.assign(env, session.options.env ?? {}, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    AUTOSTACK_LOCAL_RUNNER: '1',
    ...(session.options.verbose ? { RUNNER_DEBUG: '1' } : {}),
  });
  Object.assign(env, runtime.env, runtime.exported, stepEnv, files, action, runtimeVariables(session, runtime));
  if (runtime.pathAdditions.length > 0) env.PATH = [...[...runtime.pathAdditions].reverse(), env.PATH ?? ''].join(':');
  return env;
}
