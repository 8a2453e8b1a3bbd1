// The shapes the local runner shares between its parts: options, requests, results, and the
// per-run and per-job state the scheduler, job, step and composite code pass to each other.
import type { Json } from './expressions.js';
import type { JobPlan, LoadedWorkflow } from './load.js';
import type { GitHubActivity, JobsApiJob } from './local-github.js';
import type { Conclusion, Reporter } from './reporter.js';
import type { ResolvedAction } from './actions.js';
import type { RunningProcess } from './process.js';
import type { StepHook } from './hooks.js';

export interface RunnerOptions {
  /** The checkout the workflow runs in (GITHUB_WORKSPACE); default: the working directory. */
  workspace?: string;
  /** owner/repo; default: from `git remote get-url origin`, else local/<folder>. */
  repository?: string;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Extra environment for every step (on top of PATH, HOME and the runner's variables). */
  env?: Record<string, string>;
  out?: NodeJS.WritableStream;
  quiet?: boolean;
  verbose?: boolean;
  /** Start the workflows a repository_dispatch / workflow_dispatch names (default true). */
  followDispatches?: boolean;
  /** Bound on workflow runs in one session (a dispatch loop stops here). */
  maxRuns?: number;
  /** Node binary for node actions (default: this one). */
  nodePath?: string;
  keepTemp?: boolean;
  /** Jobs that run at the same time (--jobs); default: the machine's cores, at least 2. */
  jobs?: number;
  /** Hooks for particular actions (the CLI registers autostack's own). */
  hooks?: StepHook[];
}

export interface RunRequest {
  file: string;
  event: string;
  payload?: Json;
  inputs?: Record<string, string>;
  /** Run only this job (and the jobs it needs). */
  job?: string;
}

export interface StepResult {
  id: string;
  name: string;
  outcome: Conclusion;
  conclusion: Conclusion;
  outputs: Record<string, string>;
  durationMs: number;
  error?: string;
  annotations: Array<{ kind: 'error' | 'warning' | 'notice'; message: string }>;
  uses?: string;
}

export interface RecordRef {
  runId: string;
  path: string;
  job: string;
}

export interface JobResult {
  id: string;
  name: string;
  result: Conclusion;
  outputs: Record<string, string>;
  steps: StepResult[];
  durationMs: number;
  error?: string;
  /** For a job that calls a reusable workflow. */
  called?: WorkflowRunResult;
  /** For a matrix job: one result per combination, in order. */
  instances?: JobResult[];
  /** For one combination of a matrix job. */
  matrix?: Record<string, Json>;
}

export interface WorkflowRunResult {
  workflow: string;
  file: string;
  event: string;
  action?: string;
  runId: number;
  conclusion: Conclusion;
  durationMs: number;
  jobs: JobResult[];
  /** on.workflow_call.outputs, for a called workflow. */
  outputs: Record<string, string>;
  triggeredBy?: string;
  records: RecordRef[];
}

export interface RecordSummary {
  runId: string;
  path: string;
  name: string;
  status: string;
  steps: number;
  costUsd: number;
  job: string;
  workflow: string;
}

export interface SessionResult {
  conclusion: Conclusion;
  runs: WorkflowRunResult[];
  dispatches: Array<{
    kind: string;
    repository: string;
    eventType?: string;
    workflow?: string;
    from: string;
    started: string[];
  }>;
  github: GitHubActivity[];
  records: RecordSummary[];
}

/** What the event says about the run: the ref, the pull request refs and the actor. */
export interface EventFacts {
  ref: string;
  refName: string;
  headRef: string;
  baseRef: string;
  actor: string;
}

/** The event that started a run, as its steps see it (github.event, GITHUB_EVENT_PATH, the refs). */
export interface RunEvent {
  eventName: string;
  payload: Json;
  /** The payload's file (GITHUB_EVENT_PATH of every step). */
  eventPath: string;
  facts: EventFacts;
}

export interface RunScope extends RunEvent {
  workflow: LoadedWorkflow;
  /** `inputs` context: workflow_dispatch / workflow_call inputs, defaults applied. */
  inputs: Record<string, Json>;
  secrets: Record<string, string>;
  /** github.run_id and run_number; a called workflow shares its caller's. */
  runId: number;
  runNumber: number;
  /** How deep in a dispatch chain this run is (0 for the run started by hand). */
  depth: number;
  /** The workflow's console; its jobs write to lanes of it. */
  reporter: Reporter;
  jobs: Map<string, JobResult>;
  records: RecordRef[];
  /** For called workflows: the caller job id, shown as "caller / job". */
  prefix: string;
  callerWorkflow?: LoadedWorkflow;
}

export type NodeAction = Extract<ResolvedAction, { kind: 'node' }>;

export interface PostStep {
  name: string;
  action: NodeAction;
  inputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  id: string;
}

export type StepState = Record<
  string,
  { outputs: Record<string, string>; outcome: Conclusion; conclusion: Conclusion }
>;

export interface JobRuntime {
  scope: RunScope;
  plan: JobPlan;
  /** This job's console (a lane of the workflow's output when jobs run in parallel). */
  reporter: Reporter;
  token: string;
  temp: string;
  env: Record<string, string>;
  /** GITHUB_ENV and GITHUB_PATH as the job's later steps see them. */
  exported: Record<string, string>;
  pathAdditions: string[];
  steps: StepState;
  results: StepResult[];
  posts: PostStep[];
  failed: boolean;
  /** Why the job was cancelled (timeout, fail-fast), when it was. */
  cancelledBy?: string;
  deadline: number;
  summaries: string[];
  jobsApi: JobsApiJob;
  counter: number;
  matrix: Record<string, Json>;
  strategy: Record<string, Json>;
  /** The processes this job runs now, so fail-fast or a timeout can stop them. */
  running: Set<RunningProcess>;
}
