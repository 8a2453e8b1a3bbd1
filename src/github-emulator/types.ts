/**
 * Public types of the GitHub REST API emulator (`server.ts`): its in-memory model of
 * repositories, issues, pull requests, workflow runs and dispatches, the requests it records,
 * and the hooks its two users plug in — the local workflow runner's loopback API
 * (`src/workflow/local-github.ts`) and the tests' fake (`test/fakes/github-api.ts`).
 */
/** The repository every emulator starts with, and the one helpers use when no repo is given. */
export const DEFAULT_REPO = 'octo-org/octo-repo';

export interface RepoSetup {
  defaultBranch?: string;
  /** Files of the initial commit (path → UTF-8 text). Default: a README.md. */
  files?: Record<string, string>;
  private?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query string, e.g. `/repos/o/r/git/ref/heads/feature/x`. */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text if it is not JSON; undefined when empty. */
  body: unknown;
  /** Status the emulator answered with (set once the answer is chosen; 0 for a reset connection). */
  status?: number;
  /** True when the answer came from the `before` hook (a test's scripted response). */
  scripted?: boolean;
  /** True when no route matched and the emulator answered 404. */
  unmatched?: boolean;
}

export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type Conclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

export interface ApiStep {
  name: string;
  status: JobStatus;
  conclusion: Conclusion | null;
  number: number;
  started_at: string | null;
  completed_at: string | null;
}

/** A job exactly as the jobs endpoints return it. */
export interface ApiJob {
  id: number;
  run_id: number;
  run_attempt: number;
  node_id: string;
  head_sha: string;
  head_branch: string | null;
  workflow_name: string | null;
  url: string;
  html_url: string;
  run_url: string;
  check_run_url: string;
  status: JobStatus;
  conclusion: Conclusion | null;
  created_at: string;
  started_at: string;
  completed_at: string | null;
  name: string;
  steps: ApiStep[];
  labels: string[];
  runner_id: number | null;
  runner_name: string | null;
  runner_group_id: number | null;
  runner_group_name: string | null;
}

export type StepInput = Partial<ApiStep> & { name: string };
export type JobInput = Partial<Omit<ApiJob, 'steps'>> & { name: string; steps?: StepInput[] };

export interface BlobModel {
  sha: string;
  content: Buffer;
}

export interface CommitModel {
  sha: string;
  treeSha: string;
  parents: string[];
  message: string;
  date: string;
  /** The whole tree: path → blob. Commits are immutable; each write copies the map. */
  files: Map<string, BlobModel>;
}

export interface IssueModel {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Pull requests are issues too on GitHub (same numbers, same comments and labels). */
  isPull: boolean;
  /** Fields beyond the modelled ones (an event payload's issue), served under them. */
  extra?: Record<string, unknown>;
}

export interface PullModel {
  number: number;
  head: string;
  base: string;
  /** Last known head commit; follows the branch while it exists. */
  headSha: string;
  draft: boolean;
}

export interface CommentModel {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowModel {
  id: number;
  name: string;
  /** `.github/workflows/<file>` */
  path: string;
  /** Declared workflow_dispatch inputs; undefined accepts any input. */
  inputs?: string[];
}

export interface RepoModel {
  owner: string;
  name: string;
  /** `owner/name` as first written; the state keys it lower-cased, since GitHub matches names case-insensitively. */
  fullName: string;
  id: number;
  /** Branch name → commit sha. */
  branches: Map<string, string>;
  /** The branch a ref-less read, dispatch or pull request base falls back to. */
  defaultBranch: string;
  private: boolean;
  /** Second precision, as GitHub writes timestamps. */
  createdAt: string;
  /** Commit sha → commit. */
  commits: Map<string, CommitModel>;
  /** Issues and pull requests share one number sequence, as on GitHub (nextNumber). */
  issues: Map<number, IssueModel>;
  pulls: Map<number, PullModel>;
  /** Comment id → comment, over all issues and pull requests. */
  comments: Map<number, CommentModel>;
  /** Label name → label id (labels are created on first use). */
  labels: Map<string, number>;
  workflows: Map<number, WorkflowModel>;
  nextNumber: number;
}

export interface RunModel {
  id: number;
  repo: string;
  name: string;
  workflowId: number | null;
  event: string;
  headBranch: string;
  headSha: string;
  createdAt: string;
  /** Attempt number → jobs of that attempt. */
  attempts: Map<number, ApiJob[]>;
  /** The run's `run-name` as GitHub shows it (`display_title`); defaults to the workflow name. */
  displayTitle?: string;
  /** Who caused the run, and who started this attempt (a re-run by a person differs). */
  actor?: { login: string; type: 'User' | 'Bot' };
  triggeringActor?: { login: string; type: 'User' | 'Bot' };
  artifacts: ArtifactModel[];
  /** Environment reviews, as GET …/runs/{id}/approvals answers them. */
  approvals: ApprovalInput[];
}

export interface ArtifactModel {
  id: number;
  name: string;
  zip: Buffer;
  createdAt: string;
  expired: boolean;
}

export interface ApprovalInput {
  user: string;
  state: 'approved' | 'rejected';
  environments: string[];
  comment?: string;
}

export interface RunDetails {
  createdAt?: string;
  actor?: { login: string; type: 'User' | 'Bot' };
  triggeringActor?: { login: string; type: 'User' | 'Bot' };
  approvals?: ApprovalInput[];
}

export interface AddRunInput {
  repo?: string;
  /** Workflow name (`name`). */
  name?: string;
  displayTitle?: string;
  event?: string;
  workflowId?: number | null;
}

export interface RepositoryDispatchRecord {
  repo: string;
  event_type: string;
  client_payload: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface WorkflowDispatchRecord {
  repo: string;
  workflow_id: number;
  workflow_path: string;
  ref: string;
  inputs: Record<string, unknown>;
  return_run_details: boolean;
  /** Run created for the dispatch (status queued, no jobs). */
  run_id: number;
  headers: Record<string, string>;
}

export interface EmulatorState {
  /** Keyed by lower-cased full name: GitHub treats owner/repo case-insensitively. */
  repos: Map<string, RepoModel>;
  runs: Map<number, RunModel>;
  dispatches: RepositoryDispatchRecord[];
  workflowDispatches: WorkflowDispatchRecord[];
}

export interface SetJobsOptions {
  repo?: string;
  workflowName?: string;
  headBranch?: string;
  headSha?: string;
  event?: string;
}

export interface IssueInput {
  title: string;
  body?: string;
  labels?: string[];
  user?: string;
  state?: 'open' | 'closed';
  /** A given number (an issue of an event payload); the next free one when omitted. */
  number?: number;
  extra?: Record<string, unknown>;
}

export interface CommitOptions {
  repo?: string;
  branch?: string;
  message?: string;
}

export interface OpenPullInput {
  head: string;
  base?: string;
  title: string;
  body?: string;
  files: Record<string, string | null>;
  draft?: boolean;
}

/** An answer: JSON (object), text or bytes (string / Buffer), or none (204, 302). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a `before` hook may answer instead of the emulator: a reply, or a dropped connection. */
export type HookReply = Reply | { reset: true };

/** A request after authentication, with the repository it names (for `override` hooks). */
export interface RepoRequest {
  request: RecordedRequest;
  /** `owner/repo` as written in the URL. */
  repository: string;
  /** The path after /repos/{owner}/{repo}: '' for the repository itself. */
  rest: string;
  query: URLSearchParams;
}

export interface DispatchNotice {
  /** The workflow as named in the URL (file name or id); workflow_dispatch only. */
  workflow?: string;
}

export interface GitHubEmulatorOptions {
  /** Repositories that exist from the start (full name → setup). */
  repos?: Record<string, RepoSetup>;
  /** Also create DEFAULT_REPO up front (the tests' default). */
  defaultRepo?: boolean;
  /** Answer 404 for repositories not created up front, instead of creating them on first use. */
  strictRepos?: boolean;
  /** Even with strictRepos, accept dispatches to any repository (creating it): a sender cannot see the receiver. */
  dispatchToAnyRepo?: boolean;
  /** Route groups to serve; all when omitted. Others answer 404 like an unknown route. */
  groups?: readonly RouteGroup[];
  /**
   * Authentication: undefined accepts the request; a reply (401) refuses it. Receives the token
   * from `Authorization: token X` / `Bearer X`, undefined when there is none.
   */
  authenticate?: (token: string | undefined, request: RecordedRequest) => Reply | undefined;
  /** Runs before everything else, authentication included (tests script faults here). */
  before?: (request: RecordedRequest) => Promise<HookReply | undefined> | HookReply | undefined;
  /** Runs after authentication for /repos/{owner}/{repo} requests; undefined lets the routes answer. */
  override?: (call: RepoRequest) => Promise<Reply | undefined> | Reply | undefined;
  /** Told of every accepted dispatch; for workflow_dispatch it may name the run id the dispatch starts. */
  onDispatch?: (
    record: RepositoryDispatchRecord | WorkflowDispatchRecord,
    notice: DispatchNotice,
  ) => { runId?: number } | undefined;
  /** Called for a request no route answered (the tests' fake warns on stderr). */
  onUnmatched?: (request: RecordedRequest) => void;
}

export type RouteGroup = 'repository' | 'actions' | 'dispatch' | 'issues' | 'pulls' | 'contents' | 'git';

export interface GitHubEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT — use as GITHUB_API_URL or octokit `baseUrl`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly state: EmulatorState;
  /** Requests no route answered (each got a 404). */
  readonly unmatched: RecordedRequest[];
  /** Get (or create) a repository model. */
  repo(fullName?: string, setup?: RepoSetup): RepoModel;
  /** Create a workflow run (e.g. the one a repository_dispatch started); jobs are set with setJobs. */
  addRun(input?: AddRunInput): RunModel;
  /** Attach an artifact (zip bytes) to a run; served by the artifacts endpoints. */
  addArtifact(runId: number, name: string, zip: Buffer, opts?: { expired?: boolean }): ArtifactModel;
  /** Set creation time, actors and environment approvals of an existing run. */
  setRunDetails(runId: number, details: RunDetails): void;
  /** Set the jobs of one attempt of a workflow run (creates the run). */
  setJobs(runId: number, attempt: number, jobs: JobInput[], opts?: SetJobsOptions): ApiJob[];
  /** Declare a workflow (for numeric ids or to restrict workflow_dispatch inputs). */
  addWorkflow(input: { file: string; name?: string; inputs?: string[] }, repo?: string): WorkflowModel;
  addIssue(input: IssueInput, repo?: string): IssueModel;
  createBranch(name: string, opts?: { from?: string; repo?: string }): string;
  /** Commit files onto an existing branch (null deletes a file); returns the commit sha. */
  commitFiles(files: Record<string, string | null>, opts?: CommitOptions): string;
  /** Create a branch with the files committed and open a PR from it; returns the PR number. */
  openPull(input: OpenPullInput, repo?: string): number;
  /** A file's text at a ref (default branch when omitted), or undefined. */
  readFile(path: string, opts?: { ref?: string; repo?: string }): string | undefined;
  close(): Promise<void>;
}
