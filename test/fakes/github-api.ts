/**
 * Loopback fake of the GitHub REST API, for integration tests that run the real `@octokit/rest`.
 *
 * Why a fake server rather than mocking octokit: the code under test builds its own Octokit
 * (plugins, baseUrl from GITHUB_API_URL, retries), so the only honest seam is HTTP. This server
 * speaks enough of the API for autostack's callers, shaped like the real responses (field names,
 * status codes, error bodies), and keeps a small in-memory model of repositories so that writes
 * are visible to later reads (put a file, read it back; open a PR, list it).
 *
 * Three layers answer a request, in order:
 *   1. scripted responses queued with `script()` (5xx, rate limits, 422s — whatever a test needs),
 *   2. the token check (`requireToken`),
 *   3. the route table at the bottom of this file, falling back to a logged 404.
 * Every request is recorded in `requests`, with the status it got.
 */
import { createHash } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** The repository every fake starts with, and the one helpers use when no repo is given. */
export const DEFAULT_REPO = 'octo-org/octo-repo';

export interface RepoSetup {
  defaultBranch?: string;
  /** Files of the initial commit (path → UTF-8 text). Default: a README.md. */
  files?: Record<string, string>;
  private?: boolean;
}

export interface StartGitHubApiOptions {
  /**
   * `true`: answer 401 "Requires authentication" when there is no Authorization header.
   * A string: additionally answer 401 "Bad credentials" unless the token equals it.
   */
  requireToken?: boolean | string;
  /** Repositories that exist from the start (full name → setup), besides DEFAULT_REPO. */
  repos?: Record<string, RepoSetup>;
  /** Answer 404 for repositories not created up front, instead of creating them on first use. */
  strictRepos?: boolean;
  /** Do not warn on stderr when a request matches no route. */
  quiet?: boolean;
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
  /** Status the fake answered with (set once the answer is chosen). */
  status?: number;
  /** True when the answer came from `script()`. */
  scripted?: boolean;
  /** True when no route matched and the fake answered 404. */
  unmatched?: boolean;
}

export interface ScriptedResponse {
  status: number;
  /** Extra response headers (retry-after, x-ratelimit-*, …); they override the defaults. */
  headers?: Record<string, string>;
  /** Object → JSON; string → sent as is. Omitted on an error status: a GitHub-style message. */
  body?: unknown;
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
  /** Destroy the connection instead of answering (a network error for the client). */
  reset?: boolean;
}

/**
 * Which requests a script applies to:
 * - a string `"METHOD /path"` where `{name}` matches one path segment and `*` anything,
 *   e.g. `"POST /repos/{owner}/{repo}/dispatches"`; without a method it matches any method;
 * - a RegExp tested against `"METHOD /path"`;
 * - `{ method?, path? }`: path as a template string (as above) or a RegExp tested on the path;
 * - a predicate over the recorded request.
 */
export type RouteMatcher =
  string | RegExp | { method?: string; path?: string | RegExp } | ((req: RecordedRequest) => boolean);

export interface ScriptHandle {
  /** Scripted responses not yet used. */
  readonly remaining: number;
}

export type JobStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type Conclusion = 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required';

export interface FakeStep {
  name: string;
  status: JobStatus;
  conclusion: Conclusion | null;
  number: number;
  started_at: string | null;
  completed_at: string | null;
}

/** A job exactly as the jobs endpoints return it. */
export interface FakeJob {
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
  steps: FakeStep[];
  labels: string[];
  runner_id: number | null;
  runner_name: string | null;
  runner_group_id: number | null;
  runner_group_name: string | null;
}

export type StepInput = Partial<FakeStep> & { name: string };
export type JobInput = Partial<Omit<FakeJob, 'steps'>> & { name: string; steps?: StepInput[] };

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
  fullName: string;
  id: number;
  defaultBranch: string;
  private: boolean;
  createdAt: string;
  /** Branch name → commit sha. */
  branches: Map<string, string>;
  commits: Map<string, CommitModel>;
  issues: Map<number, IssueModel>;
  pulls: Map<number, PullModel>;
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
  attempts: Map<number, FakeJob[]>;
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

export interface FakeState {
  /** Keyed by lower-cased full name: GitHub treats owner/repo case-insensitively. */
  repos: Map<string, RepoModel>;
  runs: Map<number, RunModel>;
  dispatches: RepositoryDispatchRecord[];
  workflowDispatches: WorkflowDispatchRecord[];
}

export interface GitHubApi {
  /** Base URL, e.g. http://127.0.0.1:PORT — use as GITHUB_API_URL or octokit `baseUrl`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly state: FakeState;
  /** Requests no route answered (each got a 404). */
  readonly unmatched: RecordedRequest[];
  /** Queue responses for matching requests; used in order, then the default behaviour resumes. */
  script(matcher: RouteMatcher, responses: ScriptedResponse[]): ScriptHandle;
  /** Get (or create) a repository model. */
  repo(fullName?: string, setup?: RepoSetup): RepoModel;
  /** Create a workflow run (e.g. the one a repository_dispatch started); jobs are set with setJobs. */
  addRun(input?: AddRunInput): RunModel;
  /** Attach an artifact (zip bytes) to a run; served by the artifacts endpoints. */
  addArtifact(runId: number, name: string, zip: Buffer, opts?: { expired?: boolean }): ArtifactModel;
  /** Set creation time, actors and environment approvals of an existing run. */
  setRunDetails(runId: number, details: RunDetails): void;
  /** Set the jobs of one attempt of a workflow run (creates the run). */
  setJobs(runId: number, attempt: number, jobs: JobInput[], opts?: SetJobsOptions): FakeJob[];
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

// ---------------------------------------------------------------------------------------------
// Constants and small helpers
// ---------------------------------------------------------------------------------------------

const HTML = 'https://github.com';
const DOCS = 'https://docs.github.com/rest';
/** The identity GITHUB_TOKEN acts as; authored comments and commits carry it. */
const ACTOR = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const };
const ACTOR_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

/** GitHub timestamps have second precision: 2024-01-01T00:00:00Z. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The real git blob id, so callers comparing shas with `git hash-object` agree. */
function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}

function userJson(login: string, id?: number, type: 'User' | 'Bot' | 'Organization' = 'User') {
  const uid = id ?? (login === ACTOR.login ? ACTOR.id : (parseInt(sha1(login).slice(0, 7), 16) % 9_000_000) + 1000);
  const kind = login === ACTOR.login ? 'Bot' : type;
  return {
    login,
    id: uid,
    node_id: nodeId('U', uid),
    type: kind,
    site_admin: false,
    html_url: `${HTML}/${login}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${uid}?v=4`,
  };
}

/** GitHub wraps base64 file content at 60 columns; clients must cope, so the fake does too. */
function wrapBase64(content: Buffer): string {
  const b64 = content.toString('base64');
  return b64.replace(/.{1,60}/g, '$&\n');
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

/** An answer the handlers throw to stop early with a GitHub-style error. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body['message']));
  }
}

/** GitHub error bodies: message, documentation_url, and (recently) status as a string. */
function ghError(status: number, message: string, doc = DOCS, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(status, { message, ...extra, documentation_url: doc, status: String(status) });
}

/** 422 "Validation Failed" with an `errors` array, as the pulls/issues endpoints answer. */
function validationFailed(doc: string, ...errors: Array<Record<string, unknown>>): HttpError {
  return ghError(422, 'Validation Failed', doc, { errors });
}

function notFound(doc = DOCS): HttpError {
  return ghError(404, 'Not Found', doc);
}

// ---------------------------------------------------------------------------------------------
// Repository model: commits are full snapshots (path → blob), branches point at commits
// ---------------------------------------------------------------------------------------------

interface World {
  state: FakeState;
  url: string;
  strictRepos: boolean;
  /** One counter for every id the fake hands out (jobs, comments, labels, runs…). */
  nextId: number;
}

function makeCommit(
  world: World,
  repo: RepoModel,
  parent: CommitModel | undefined,
  files: Map<string, BlobModel>,
  message: string,
): CommitModel {
  const entries = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const treeSha = sha1(entries.map(([p, b]) => `${p}\0${b.sha}`).join('\n'));
  const date = now();
  const sha = sha1(`tree ${treeSha}\nparent ${parent?.sha ?? ''}\n${date}\n${world.nextId++}\n\n${message}`);
  const commit: CommitModel = { sha, treeSha, parents: parent ? [parent.sha] : [], message, date, files };
  repo.commits.set(sha, commit);
  return commit;
}

function createRepo(world: World, fullName: string, setup: RepoSetup = {}): RepoModel {
  const [owner = '', name = ''] = fullName.split('/');
  const repo: RepoModel = {
    owner,
    name,
    fullName: `${owner}/${name}`,
    id: world.nextId++,
    defaultBranch: setup.defaultBranch ?? 'main',
    private: setup.private ?? false,
    createdAt: now(),
    branches: new Map(),
    commits: new Map(),
    issues: new Map(),
    pulls: new Map(),
    comments: new Map(),
    labels: new Map(),
    workflows: new Map(),
    nextNumber: 1,
  };
  const files = new Map<string, BlobModel>();
  for (const [path, text] of Object.entries(setup.files ?? { 'README.md': `# ${name}\n` })) {
    const content = Buffer.from(text);
    files.set(path, { sha: blobSha(content), content });
  }
  const initial = makeCommit(world, repo, undefined, files, 'Initial commit');
  repo.branches.set(repo.defaultBranch, initial.sha);
  world.state.repos.set(repo.fullName.toLowerCase(), repo);
  return repo;
}

function getRepo(world: World, fullName: string, create: boolean): RepoModel | undefined {
  const existing = world.state.repos.get(fullName.toLowerCase());
  if (existing || !create) return existing;
  return createRepo(world, fullName);
}

/** A branch name (optionally `refs/heads/` or `heads/`), or a full or abbreviated commit sha. */
function resolveCommit(repo: RepoModel, ref: string | undefined): CommitModel | undefined {
  const wanted = ref ?? repo.defaultBranch;
  const branch = wanted.replace(/^refs\/heads\//, '').replace(/^heads\//, '');
  const branchSha = repo.branches.get(branch);
  if (branchSha) return repo.commits.get(branchSha);
  if (/^[0-9a-f]{7,40}$/.test(wanted)) {
    for (const [sha, commit] of repo.commits) if (sha.startsWith(wanted)) return commit;
  }
  return undefined;
}

function isAncestor(repo: RepoModel, ancestor: string, descendant: string): boolean {
  const queue = [descendant];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const sha = queue.pop() as string;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    queue.push(...(repo.commits.get(sha)?.parents ?? []));
  }
  return false;
}

function commitToBranch(
  world: World,
  repo: RepoModel,
  branch: string,
  changes: Record<string, Buffer | null>,
  message: string,
): CommitModel {
  const parent = resolveCommit(repo, branch);
  if (!parent || !repo.branches.has(branch)) throw ghError(404, `Branch ${branch} not found`);
  const files = new Map(parent.files);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) files.delete(path);
    else files.set(path, { sha: blobSha(content), content });
  }
  const commit = makeCommit(world, repo, parent, files, message);
  repo.branches.set(branch, commit.sha);
  return commit;
}

function labelId(world: World, repo: RepoModel, name: string): number {
  let id = repo.labels.get(name);
  if (id === undefined) {
    id = world.nextId++;
    repo.labels.set(name, id);
  }
  return id;
}

function newIssue(world: World, repo: RepoModel, input: IssueInput, isPull: boolean): IssueModel {
  const at = now();
  const issue: IssueModel = {
    id: world.nextId++,
    number: repo.nextNumber++,
    title: input.title,
    body: input.body ?? null,
    state: input.state ?? 'open',
    labels: [...new Set(input.labels ?? [])],
    user: input.user ?? 'octocat',
    createdAt: at,
    updatedAt: at,
    closedAt: input.state === 'closed' ? at : null,
    isPull,
  };
  for (const l of issue.labels) labelId(world, repo, l);
  repo.issues.set(issue.number, issue);
  return issue;
}

/** Shared by POST /pulls and the openPull helper, with GitHub's 422s. */
function createPull(
  world: World,
  repo: RepoModel,
  input: { head: string; base: string; title: string; body?: string | null; draft?: boolean; user: string },
): IssueModel {
  const doc = `${DOCS}/pulls/pulls#create-a-pull-request`;
  const head = input.head.includes(':') ? input.head.slice(input.head.indexOf(':') + 1) : input.head;
  const headSha = repo.branches.get(head);
  const baseSha = repo.branches.get(input.base);
  if (!headSha) throw validationFailed(doc, { resource: 'PullRequest', field: 'head', code: 'invalid' });
  if (!baseSha) throw validationFailed(doc, { resource: 'PullRequest', field: 'base', code: 'invalid' });
  if (isAncestor(repo, headSha, baseSha)) {
    throw validationFailed(doc, {
      resource: 'PullRequest',
      code: 'custom',
      message: `No commits between ${input.base} and ${head}`,
    });
  }
  for (const pull of repo.pulls.values()) {
    const issue = repo.issues.get(pull.number);
    if (pull.head === head && pull.base === input.base && issue?.state === 'open') {
      throw validationFailed(doc, {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${repo.owner}:${head}.`,
      });
    }
  }
  const issue = newIssue(
    world,
    repo,
    { title: input.title, user: input.user, ...(input.body ? { body: input.body } : {}) },
    true,
  );
  repo.pulls.set(issue.number, { number: issue.number, head, base: input.base, headSha, draft: input.draft ?? false });
  return issue;
}

function findWorkflow(world: World, repo: RepoModel, idOrFile: string): WorkflowModel | undefined {
  if (/^\d+$/.test(idOrFile)) return repo.workflows.get(Number(idOrFile));
  const path = `.github/workflows/${idOrFile}`;
  for (const wf of repo.workflows.values()) if (wf.path === path) return wf;
  // A workflow file name nobody declared: create it, since tests rarely care about the registry.
  if (world.strictRepos) return undefined;
  return addWorkflow(world, repo, { file: idOrFile });
}

function addWorkflow(
  world: World,
  repo: RepoModel,
  input: { file: string; name?: string; inputs?: string[] },
): WorkflowModel {
  const wf: WorkflowModel = {
    id: world.nextId++,
    name: input.name ?? input.file.replace(/\.ya?ml$/, ''),
    path: `.github/workflows/${input.file}`,
    ...(input.inputs ? { inputs: input.inputs } : {}),
  };
  repo.workflows.set(wf.id, wf);
  return wf;
}

function buildJob(world: World, repo: string, run: RunModel, attempt: number, input: JobInput): FakeJob {
  const id = input.id ?? world.nextId++;
  const at = now();
  const status: JobStatus = input.status ?? (input.conclusion === null ? 'in_progress' : 'completed');
  const conclusion = input.conclusion !== undefined ? input.conclusion : status === 'completed' ? 'success' : null;
  const started = status !== 'queued' && status !== 'waiting' && status !== 'pending';
  const steps = (input.steps ?? []).map((s, i): FakeStep => {
    const stepStatus: JobStatus = s.status ?? (status === 'completed' ? 'completed' : 'in_progress');
    return {
      name: s.name,
      status: stepStatus,
      conclusion: s.conclusion !== undefined ? s.conclusion : stepStatus === 'completed' ? 'success' : null,
      number: s.number ?? i + 1,
      started_at: s.started_at !== undefined ? s.started_at : at,
      completed_at: s.completed_at !== undefined ? s.completed_at : stepStatus === 'completed' ? at : null,
    };
  });
  const api = `${world.url}/repos/${repo}`;
  return {
    id,
    run_id: run.id,
    run_attempt: attempt,
    node_id: input.node_id ?? nodeId('CR', id),
    head_sha: input.head_sha ?? run.headSha,
    head_branch: input.head_branch !== undefined ? input.head_branch : run.headBranch,
    workflow_name: input.workflow_name !== undefined ? input.workflow_name : run.name,
    url: `${api}/actions/jobs/${id}`,
    html_url: `${HTML}/${repo}/actions/runs/${run.id}/job/${id}`,
    run_url: `${api}/actions/runs/${run.id}`,
    check_run_url: `${api}/check-runs/${id}`,
    status,
    conclusion,
    created_at: input.created_at ?? at,
    started_at: input.started_at ?? at,
    completed_at: input.completed_at !== undefined ? input.completed_at : status === 'completed' ? at : null,
    name: input.name,
    steps,
    labels: input.labels ?? ['ubuntu-latest'],
    runner_id: input.runner_id !== undefined ? input.runner_id : started ? id % 1000 : null,
    runner_name: input.runner_name !== undefined ? input.runner_name : started ? `GitHub Actions ${id % 1000}` : null,
    runner_group_id: input.runner_group_id !== undefined ? input.runner_group_id : started ? 2 : null,
    runner_group_name:
      input.runner_group_name !== undefined ? input.runner_group_name : started ? 'GitHub Actions' : null,
  };
}

function newRun(
  world: World,
  repo: RepoModel,
  opts: { id?: number; name: string; workflowId: number | null; event: string; headBranch?: string; headSha?: string },
): RunModel {
  const run: RunModel = {
    id: opts.id ?? world.nextId++,
    repo: repo.fullName,
    name: opts.name,
    workflowId: opts.workflowId,
    event: opts.event,
    headBranch: opts.headBranch ?? repo.defaultBranch,
    headSha: opts.headSha ?? resolveCommit(repo, opts.headBranch)?.sha ?? '0'.repeat(40),
    createdAt: now(),
    attempts: new Map(),
    artifacts: [],
    approvals: [],
  };
  world.state.runs.set(run.id, run);
  return run;
}

// ---------------------------------------------------------------------------------------------
// JSON shapes (only the fields callers read, named as on GitHub)
// ---------------------------------------------------------------------------------------------

function repoJson(world: World, repo: RepoModel) {
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    owner: userJson(repo.owner, undefined, 'Organization'),
    html_url: `${HTML}/${repo.fullName}`,
    url: `${world.url}/repos/${repo.fullName}`,
    description: null,
    fork: false,
    archived: false,
    disabled: false,
    default_branch: repo.defaultBranch,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
  };
}

function labelJson(world: World, repo: RepoModel, name: string) {
  const id = labelId(world, repo, name);
  return {
    id,
    node_id: nodeId('LA', id),
    url: `${world.url}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  };
}

function issueJson(world: World, repo: RepoModel, issue: IssueModel) {
  const api = `${world.url}/repos/${repo.fullName}`;
  const kind = issue.isPull ? 'pull' : 'issues';
  const comments = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length;
  return {
    id: issue.id,
    node_id: nodeId(issue.isPull ? 'PR' : 'I', issue.id),
    url: `${api}/issues/${issue.number}`,
    repository_url: api,
    comments_url: `${api}/issues/${issue.number}/comments`,
    html_url: `${HTML}/${repo.fullName}/${kind}/${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.state === 'closed' ? 'completed' : null,
    locked: false,
    user: userJson(issue.user),
    labels: issue.labels.map((l) => labelJson(world, repo, l)),
    assignees: [],
    comments,
    author_association: 'MEMBER',
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    ...(issue.isPull
      ? {
          pull_request: {
            url: `${api}/pulls/${issue.number}`,
            html_url: `${HTML}/${repo.fullName}/pull/${issue.number}`,
            diff_url: `${HTML}/${repo.fullName}/pull/${issue.number}.diff`,
            patch_url: `${HTML}/${repo.fullName}/pull/${issue.number}.patch`,
            merged_at: null,
          },
        }
      : {}),
  };
}

function pullJson(world: World, repo: RepoModel, pull: PullModel) {
  const issue = repo.issues.get(pull.number) as IssueModel;
  pull.headSha = repo.branches.get(pull.head) ?? pull.headSha;
  const api = `${world.url}/repos/${repo.fullName}`;
  const mini = {
    id: repo.id,
    name: repo.name,
    full_name: repo.fullName,
    owner: userJson(repo.owner, undefined, 'Organization'),
  };
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner}:${ref}`,
    ref,
    sha,
    user: mini.owner,
    repo: mini,
  });
  return {
    id: issue.id,
    node_id: nodeId('PR', issue.id),
    number: pull.number,
    url: `${api}/pulls/${pull.number}`,
    html_url: `${HTML}/${repo.fullName}/pull/${pull.number}`,
    diff_url: `${HTML}/${repo.fullName}/pull/${pull.number}.diff`,
    issue_url: `${api}/issues/${pull.number}`,
    state: issue.state,
    locked: false,
    title: issue.title,
    body: issue.body,
    user: userJson(issue.user),
    labels: issue.labels.map((l) => labelJson(world, repo, l)),
    draft: pull.draft,
    merged: false,
    merged_at: null,
    mergeable: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    head: side(pull.head, pull.headSha),
    base: side(pull.base, repo.branches.get(pull.base) ?? ''),
    author_association: 'MEMBER',
  };
}

function commentJson(world: World, repo: RepoModel, c: CommentModel) {
  const kind = repo.issues.get(c.issueNumber)?.isPull ? 'pull' : 'issues';
  return {
    id: c.id,
    node_id: nodeId('IC', c.id),
    url: `${world.url}/repos/${repo.fullName}/issues/comments/${c.id}`,
    html_url: `${HTML}/${repo.fullName}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${world.url}/repos/${repo.fullName}/issues/${c.issueNumber}`,
    body: c.body,
    user: userJson(c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  };
}

function contentLinks(world: World, repo: RepoModel, path: string, sha: string, ref: string, type: 'file' | 'dir') {
  const self = `${world.url}/repos/${repo.fullName}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${world.url}/repos/${repo.fullName}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  const html = `${HTML}/${repo.fullName}/${type === 'file' ? 'blob' : 'tree'}/${ref}/${path}`;
  return {
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === 'file' ? `https://raw.githubusercontent.com/${repo.fullName}/${ref}/${path}` : null,
    _links: { self, git, html },
  };
}

function fileJson(world: World, repo: RepoModel, path: string, blob: BlobModel, ref: string) {
  return {
    type: 'file',
    name: path.split('/').pop() ?? path,
    path,
    sha: blob.sha,
    size: blob.content.length,
    ...contentLinks(world, repo, path, blob.sha, ref, 'file'),
  };
}

function commitJson(world: World, repo: RepoModel, commit: CommitModel, who: { name: string; email: string }) {
  const api = `${world.url}/repos/${repo.fullName}/git`;
  const person = { ...who, date: commit.date };
  return {
    sha: commit.sha,
    node_id: nodeId('C', parseInt(commit.sha.slice(0, 8), 16)),
    url: `${api}/commits/${commit.sha}`,
    html_url: `${HTML}/${repo.fullName}/commit/${commit.sha}`,
    author: person,
    committer: person,
    message: commit.message,
    tree: { sha: commit.treeSha, url: `${api}/trees/${commit.treeSha}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${HTML}/${repo.fullName}/commit/${sha}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

function refJson(world: World, repo: RepoModel, branch: string) {
  const sha = repo.branches.get(branch) as string;
  return {
    ref: `refs/heads/${branch}`,
    node_id: nodeId('REF', parseInt(sha1(branch).slice(0, 8), 16)),
    url: `${world.url}/repos/${repo.fullName}/git/refs/heads/${encodePath(branch)}`,
    object: { sha, type: 'commit', url: `${world.url}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

function workflowJson(world: World, repo: RepoModel, wf: WorkflowModel) {
  return {
    id: wf.id,
    node_id: nodeId('W', wf.id),
    name: wf.name,
    path: wf.path,
    state: 'active',
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    url: `${world.url}/repos/${repo.fullName}/actions/workflows/${wf.id}`,
    html_url: `${HTML}/${repo.fullName}/blob/${repo.defaultBranch}/${wf.path}`,
    badge_url: `${HTML}/${repo.fullName}/workflows/${encodeURIComponent(wf.name)}/badge.svg`,
  };
}

/** A run's status follows its latest attempt's jobs: none → queued, all completed → completed. */
function runJson(world: World, run: RunModel) {
  const attempt = Math.max(1, ...run.attempts.keys());
  const jobs = run.attempts.get(attempt) ?? [];
  const done = jobs.length > 0 && jobs.every((j) => j.status === 'completed');
  const bad = jobs.map((j) => j.conclusion).find((c) => c === 'failure' || c === 'cancelled' || c === 'timed_out');
  const api = `${world.url}/repos/${run.repo}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: run.name,
    display_title: run.displayTitle ?? run.name,
    node_id: nodeId('WFR', run.id),
    run_number: run.id % 10_000,
    run_attempt: attempt,
    event: run.event,
    status: jobs.length === 0 ? 'queued' : done ? 'completed' : 'in_progress',
    conclusion: done ? (bad ?? 'success') : null,
    workflow_id: run.workflowId,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    url: api,
    html_url: `${HTML}/${run.repo}/actions/runs/${run.id}`,
    jobs_url: `${api}/jobs`,
    created_at: run.createdAt,
    updated_at: run.createdAt,
    run_started_at: run.createdAt,
    actor: userJson(run.actor?.login ?? 'octocat', undefined, run.actor?.type ?? 'User'),
    triggering_actor: userJson(
      (run.triggeringActor ?? run.actor)?.login ?? 'octocat',
      undefined,
      (run.triggeringActor ?? run.actor)?.type ?? 'User',
    ),
    repository: { full_name: run.repo },
  };
}

function artifactJson(world: World, run: RunModel, a: ArtifactModel) {
  const api = `${world.url}/repos/${run.repo}/actions/artifacts/${a.id}`;
  return {
    id: a.id,
    node_id: nodeId('MDg6QXJ0aWZhY3Q', a.id),
    name: a.name,
    size_in_bytes: a.zip.length,
    url: api,
    archive_download_url: `${api}/zip`,
    expired: a.expired,
    digest: `sha256:${createHash('sha256').update(a.zip).digest('hex')}`,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    expires_at: new Date(Date.parse(a.createdAt) + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    workflow_run: { id: run.id, repository_id: 1, head_branch: run.headBranch, head_sha: run.headSha },
  };
}

/** `created=>=2026-01-01T00:00:00Z` (also `<=`, `>`, `<`, or a bare date), as GitHub's search syntax. */
function createdFilter(query: string | undefined): (createdAt: string) => boolean {
  const m = /^(>=|<=|>|<)?(.+)$/.exec(query ?? '');
  if (!m) return () => true;
  const bound = Date.parse(m[2] ?? '');
  if (Number.isNaN(bound)) return () => true;
  return (createdAt) => {
    const t = Date.parse(createdAt);
    return m[1] === '>='
      ? t >= bound
      : m[1] === '<='
        ? t <= bound
        : m[1] === '>'
          ? t > bound
          : m[1] === '<'
            ? t < bound
            : t === bound;
  };
}

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

// ---------------------------------------------------------------------------------------------
// Route handlers
// ---------------------------------------------------------------------------------------------

interface Ctx {
  world: World;
  req: RecordedRequest;
  params: Record<string, string>;
  repo: RepoModel;
  /** The JSON body when it is an object, else {}. */
  body: Record<string, unknown>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

function intParam(c: Ctx, name: string): number {
  const v = c.params[name] ?? '';
  if (!/^\d+$/.test(v)) throw notFound();
  return Number(v);
}

/** per_page/page like GitHub (30 default, 100 max) with a Link header octokit.paginate follows. */
function paginate<T>(c: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(c.req.query['per_page'] ?? 30) || 30));
  const page = Math.max(1, Number(c.req.query['page'] ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams({ ...c.req.query, per_page: String(perPage), page: String(p) });
    return `<${c.world.url}${encodePath(c.req.path)}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}

function getIssueOr404(c: Ctx): IssueModel {
  const issue = c.repo.issues.get(intParam(c, 'issue_number'));
  if (!issue) throw notFound(`${DOCS}/issues/issues#get-an-issue`);
  return issue;
}

function getPullOr404(c: Ctx): PullModel {
  const pull = c.repo.pulls.get(intParam(c, 'pull_number'));
  if (!pull) throw notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
  return pull;
}

function listJobs(c: Ctx, attempt: number | 'latest' | 'all'): Reply {
  const run = c.world.state.runs.get(intParam(c, 'run_id'));
  if (!run) throw notFound(`${DOCS}/actions/workflow-jobs#list-jobs-for-a-workflow-run`);
  let jobs: FakeJob[];
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
  c.world.state.dispatches.push({
    repo: c.repo.fullName,
    event_type: eventType,
    client_payload: payload,
    headers: c.req.headers,
  });
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
  const branch = ref.replace(/^refs\/heads\//, '');
  const run = newRun(c.world, c.repo, {
    name: wf.name,
    workflowId: wf.id,
    event: 'workflow_dispatch',
    headBranch: branch,
    headSha: commit.sha,
  });
  const details = c.body['return_run_details'] === true;
  c.world.state.workflowDispatches.push({
    repo: c.repo.fullName,
    workflow_id: wf.id,
    workflow_path: wf.path,
    ref,
    inputs,
    return_run_details: details,
    run_id: run.id,
    headers: c.req.headers,
  });
  if (!details) return { status: 204 };
  return ok({
    workflow_run_id: run.id,
    run_url: `${c.world.url}/repos/${c.repo.fullName}/actions/runs/${run.id}`,
    html_url: `${HTML}/${c.repo.fullName}/actions/runs/${run.id}`,
  });
}

function addLabels(c: Ctx): Reply {
  const issue = getIssueOr404(c);
  // octokit sends {labels: [...]}; the API also takes a bare array, and {name} objects.
  const raw: unknown = Array.isArray(c.req.body) ? c.req.body : c.body['labels'];
  if (!Array.isArray(raw) || raw.length === 0) {
    throw ghError(
      422,
      'Invalid request.\n\nNo subschema in "anyOf" matched.',
      `${DOCS}/issues/labels#add-labels-to-an-issue`,
    );
  }
  for (const item of raw) {
    const name =
      typeof item === 'string' ? item : isRecord(item) && typeof item['name'] === 'string' ? item['name'] : undefined;
    if (name && !issue.labels.includes(name)) issue.labels.push(name);
  }
  issue.updatedAt = now();
  return ok(issue.labels.map((l) => labelJson(c.world, c.repo, l)));
}

function removeLabel(c: Ctx): Reply {
  const issue = getIssueOr404(c);
  const name = c.params['name'] ?? '';
  if (!issue.labels.includes(name))
    throw ghError(404, 'Label does not exist', `${DOCS}/issues/labels#remove-a-label-from-an-issue`);
  issue.labels = issue.labels.filter((l) => l !== name);
  return ok(issue.labels.map((l) => labelJson(c.world, c.repo, l)));
}

function updateIssue(c: Ctx): Reply {
  const issue = getIssueOr404(c);
  const title = str(c.body, 'title');
  if (title !== undefined) issue.title = title;
  if ('body' in c.body) issue.body = str(c.body, 'body') ?? null;
  const state = str(c.body, 'state');
  if (state === 'open' || state === 'closed') {
    issue.closedAt = state === 'closed' ? (issue.closedAt ?? now()) : null;
    issue.state = state;
  }
  const labels = c.body['labels'];
  if (Array.isArray(labels)) issue.labels = labels.filter((l): l is string => typeof l === 'string');
  issue.updatedAt = now();
  return ok(issueJson(c.world, c.repo, issue));
}

function createComment(c: Ctx): Reply {
  const issue = getIssueOr404(c);
  const body = str(c.body, 'body');
  if (!body) {
    throw validationFailed(`${DOCS}/issues/comments#create-an-issue-comment`, {
      resource: 'IssueComment',
      code: 'missing_field',
      field: 'body',
    });
  }
  const at = now();
  const comment: CommentModel = {
    id: c.world.nextId++,
    issueNumber: issue.number,
    body,
    user: ACTOR.login,
    createdAt: at,
    updatedAt: at,
  };
  c.repo.comments.set(comment.id, comment);
  const json = commentJson(c.world, c.repo, comment);
  return { status: 201, body: json, headers: { location: json.url } };
}

function getComment(c: Ctx): CommentModel {
  const comment = c.repo.comments.get(intParam(c, 'comment_id'));
  if (!comment) throw notFound(`${DOCS}/issues/comments#get-an-issue-comment`);
  return comment;
}

function updateComment(c: Ctx): Reply {
  const comment = getComment(c);
  const body = str(c.body, 'body');
  if (!body) {
    throw validationFailed(`${DOCS}/issues/comments#update-an-issue-comment`, {
      resource: 'IssueComment',
      code: 'missing_field',
      field: 'body',
    });
  }
  comment.body = body;
  comment.updatedAt = now();
  return ok(commentJson(c.world, c.repo, comment));
}

function listPulls(c: Ctx): Reply {
  const state = c.req.query['state'] ?? 'open';
  const headQuery = c.req.query['head'];
  const base = c.req.query['base'];
  const pulls = [...c.repo.pulls.values()]
    .filter((p) => {
      const issue = c.repo.issues.get(p.number);
      if (state !== 'all' && issue?.state !== state) return false;
      if (base && p.base !== base) return false;
      if (headQuery) {
        // GitHub wants "owner:branch"; the owner must be this repo's (forks are not modelled).
        const [owner, branch] = headQuery.includes(':') ? headQuery.split(':', 2) : [c.repo.owner, headQuery];
        if (owner?.toLowerCase() !== c.repo.owner.toLowerCase() || p.head !== branch) return false;
      }
      return true;
    })
    .sort((a, b) => b.number - a.number);
  const page = paginate(c, pulls);
  return ok(
    page.items.map((p) => pullJson(c.world, c.repo, p)),
    page.headers,
  );
}

function postPull(c: Ctx): Reply {
  const doc = `${DOCS}/pulls/pulls#create-a-pull-request`;
  const title = str(c.body, 'title');
  const head = str(c.body, 'head');
  const base = str(c.body, 'base');
  if (!head) throw ghError(422, 'Invalid request.\n\n"head" wasn\'t supplied.', doc);
  if (!base) throw ghError(422, 'Invalid request.\n\n"base" wasn\'t supplied.', doc);
  if (!title) throw validationFailed(doc, { resource: 'PullRequest', code: 'missing_field', field: 'title' });
  const issue = createPull(c.world, c.repo, {
    head,
    base,
    title,
    body: str(c.body, 'body') ?? null,
    draft: c.body['draft'] === true,
    user: ACTOR.login,
  });
  const json = pullJson(c.world, c.repo, c.repo.pulls.get(issue.number) as PullModel);
  return { status: 201, body: json, headers: { location: json.url } };
}

function updatePull(c: Ctx): Reply {
  const pull = getPullOr404(c);
  const issue = c.repo.issues.get(pull.number) as IssueModel;
  const title = str(c.body, 'title');
  if (title !== undefined) issue.title = title;
  if ('body' in c.body) issue.body = str(c.body, 'body') ?? null;
  const base = str(c.body, 'base');
  if (base !== undefined) {
    if (!c.repo.branches.has(base))
      throw validationFailed(`${DOCS}/pulls/pulls#update-a-pull-request`, {
        resource: 'PullRequest',
        field: 'base',
        code: 'invalid',
      });
    pull.base = base;
  }
  const state = str(c.body, 'state');
  if (state === 'open' || state === 'closed') {
    issue.closedAt = state === 'closed' ? (issue.closedAt ?? now()) : null;
    issue.state = state;
  }
  issue.updatedAt = now();
  return ok(pullJson(c.world, c.repo, pull));
}

/** Files changed between the base branch and the PR head, with line counts (no patch text). */
function listPullFiles(c: Ctx): Reply {
  const pull = getPullOr404(c);
  const head = resolveCommit(c.repo, c.repo.branches.has(pull.head) ? pull.head : pull.headSha);
  const base = resolveCommit(c.repo, pull.base);
  const files: Array<Record<string, unknown>> = [];
  if (head && base) {
    const paths = [...new Set([...base.files.keys(), ...head.files.keys()])].sort();
    for (const path of paths) {
      const before = base.files.get(path);
      const after = head.files.get(path);
      if (before?.sha === after?.sha) continue;
      const { additions, deletions } = lineChanges(before?.content, after?.content);
      const sha = after?.sha ?? before?.sha ?? '';
      files.push({
        sha,
        filename: path,
        status: !before ? 'added' : !after ? 'removed' : 'modified',
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${HTML}/${c.repo.fullName}/blob/${head.sha}/${path}`,
        raw_url: `${HTML}/${c.repo.fullName}/raw/${head.sha}/${path}`,
        contents_url: `${c.world.url}/repos/${c.repo.fullName}/contents/${encodePath(path)}?ref=${head.sha}`,
      });
    }
  }
  const page = paginate(c, files);
  return ok(page.items, page.headers);
}

/** Lines only in one side, counted as a multiset — close enough to git's numbers for tests. */
function lineChanges(before: Buffer | undefined, after: Buffer | undefined): { additions: number; deletions: number } {
  const lines = (b: Buffer | undefined) => (b && b.length > 0 ? b.toString('utf8').replace(/\n$/, '').split('\n') : []);
  const count = new Map<string, number>();
  for (const l of lines(before)) count.set(l, (count.get(l) ?? 0) + 1);
  let additions = 0;
  for (const l of lines(after)) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else additions++;
  }
  let deletions = 0;
  for (const n of count.values()) deletions += n;
  return { additions, deletions };
}

function getContents(c: Ctx): Reply {
  const doc = `${DOCS}/repos/contents#get-repository-content`;
  const ref = c.req.query['ref'];
  const commit = resolveCommit(c.repo, ref);
  if (!commit) throw ghError(404, `No commit found for the ref ${ref ?? ''}`, doc);
  const refName = ref ?? c.repo.defaultBranch;
  const path = (c.params['path'] ?? '').replace(/\/+$/, '');
  const blob = commit.files.get(path);
  if (blob) {
    // mediaType {format: 'raw'} asks for the bytes themselves.
    if (/\.raw\b|vnd\.github\.raw/.test(c.req.headers['accept'] ?? '')) {
      return { status: 200, body: blob.content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    }
    return ok({
      ...fileJson(c.world, c.repo, path, blob, refName),
      encoding: 'base64',
      content: wrapBase64(blob.content),
    });
  }
  // A directory: list its immediate children.
  const prefix = path === '' ? '' : `${path}/`;
  const children = new Map<string, Record<string, unknown>>();
  for (const [p, b] of commit.files) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) children.set(rest, fileJson(c.world, c.repo, p, b, refName));
    else {
      const dir = prefix + rest.slice(0, slash);
      const sha = sha1(`tree:${commit.treeSha}:${dir}`);
      children.set(rest.slice(0, slash), {
        type: 'dir',
        name: rest.slice(0, slash),
        path: dir,
        sha,
        size: 0,
        ...contentLinks(c.world, c.repo, dir, sha, refName, 'dir'),
      });
    }
  }
  if (children.size === 0) throw notFound(doc);
  return ok([...children.values()]);
}

function putContents(c: Ctx): Reply {
  const doc = `${DOCS}/repos/contents#create-or-update-file-contents`;
  const path = (c.params['path'] ?? '').replace(/\/+$/, '');
  const message = str(c.body, 'message');
  const content = str(c.body, 'content');
  if (!message) throw ghError(422, 'Invalid request.\n\n"message" wasn\'t supplied.', doc);
  if (content === undefined) throw ghError(422, 'Invalid request.\n\n"content" wasn\'t supplied.', doc);
  if (!/^[A-Za-z0-9+/=\s]*$/.test(content)) throw ghError(422, 'content is not valid Base64', doc);
  const branch = (str(c.body, 'branch') ?? c.repo.defaultBranch).replace(/^refs\/heads\//, '');
  const parent = resolveCommit(c.repo, branch);
  if (!parent || !c.repo.branches.has(branch)) throw ghError(404, `Branch ${branch} not found`, doc);
  const existing = parent.files.get(path);
  const sha = str(c.body, 'sha');
  // Optimistic concurrency exactly as GitHub: updating needs the current blob sha.
  if (existing && !sha) throw ghError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', doc);
  if (existing && sha !== existing.sha) throw ghError(409, `${path} does not match ${sha ?? ''}`, doc);
  const commit = commitToBranch(c.world, c.repo, branch, { [path]: Buffer.from(content, 'base64') }, message);
  const who = isRecord(c.body['committer']) ? c.body['committer'] : isRecord(c.body['author']) ? c.body['author'] : {};
  const person = { name: str(who, 'name') ?? ACTOR.login, email: str(who, 'email') ?? ACTOR_EMAIL };
  const blob = commit.files.get(path) as BlobModel;
  return {
    status: existing ? 200 : 201,
    body: {
      content: fileJson(c.world, c.repo, path, blob, branch),
      commit: commitJson(c.world, c.repo, commit, person),
    },
  };
}

/** `heads/<branch>` (branch may contain slashes); tags are not modelled. */
function branchOfRef(c: Ctx): string {
  const ref = (c.params['ref'] ?? '').replace(/^refs\//, '');
  if (!ref.startsWith('heads/')) throw ghError(422, 'Reference does not exist', `${DOCS}/git/refs`);
  return ref.slice('heads/'.length);
}

function getRef(c: Ctx): Reply {
  const branch = branchOfRef(c);
  if (!c.repo.branches.has(branch)) throw notFound(`${DOCS}/git/refs#get-a-reference`);
  return ok(refJson(c.world, c.repo, branch));
}

function createRef(c: Ctx): Reply {
  const doc = `${DOCS}/git/refs#create-a-reference`;
  const ref = str(c.body, 'ref');
  const sha = str(c.body, 'sha');
  if (!ref) throw ghError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.', doc);
  if (!sha) throw ghError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.', doc);
  if (!/^refs\/heads\/.+/.test(ref)) throw ghError(422, `${ref} is not a valid ref name.`, doc);
  const branch = ref.slice('refs/heads/'.length);
  if (c.repo.branches.has(branch)) throw ghError(422, 'Reference already exists', doc);
  if (!c.repo.commits.has(sha)) throw ghError(422, 'Object does not exist', doc);
  c.repo.branches.set(branch, sha);
  const json = refJson(c.world, c.repo, branch);
  return { status: 201, body: json, headers: { location: json.url } };
}

function updateRef(c: Ctx): Reply {
  const doc = `${DOCS}/git/refs#update-a-reference`;
  const branch = branchOfRef(c);
  const current = c.repo.branches.get(branch);
  const sha = str(c.body, 'sha');
  if (!current) throw ghError(422, 'Reference does not exist', doc);
  if (!sha || !c.repo.commits.has(sha)) throw ghError(422, 'Object does not exist', doc);
  if (c.body['force'] !== true && !isAncestor(c.repo, current, sha))
    throw ghError(422, 'Update is not a fast forward', doc);
  c.repo.branches.set(branch, sha);
  return ok(refJson(c.world, c.repo, branch));
}

function deleteRef(c: Ctx): Reply {
  const branch = branchOfRef(c);
  if (!c.repo.branches.delete(branch))
    throw ghError(422, 'Reference does not exist', `${DOCS}/git/refs#delete-a-reference`);
  return { status: 204 };
}

// ---------------------------------------------------------------------------------------------
// The route table. `{name}` is one path segment; `/{+name}` is the rest of the path (slashes
// allowed, may be empty) — octokit sends `heads/feature/x` and `dir/file.txt` %2F-encoded and
// the dispatcher matches against the decoded path. Every route is under /repos/{owner}/{repo}.
// ---------------------------------------------------------------------------------------------

type Handler = (c: Ctx) => Reply;
const R = '/repos/{owner}/{repo}';

const ROUTES: Array<[method: string, template: string, handler: Handler]> = [
  ['GET', R, (c) => ok(repoJson(c.world, c.repo))],

  // Actions: jobs, runs, dispatch
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
  ['POST', `${R}/actions/workflows/{workflow_id}/dispatches`, workflowDispatch],
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
  ['POST', `${R}/dispatches`, repositoryDispatch],

  // Issues (pull requests share these)
  ['GET', `${R}/issues/{issue_number}`, (c) => ok(issueJson(c.world, c.repo, getIssueOr404(c)))],
  ['PATCH', `${R}/issues/{issue_number}`, updateIssue],
  [
    'GET',
    `${R}/issues/{issue_number}/comments`,
    (c) => {
      const issue = getIssueOr404(c);
      const all = [...c.repo.comments.values()]
        .filter((x) => x.issueNumber === issue.number)
        .sort((a, b) => a.id - b.id);
      const page = paginate(c, all);
      return ok(
        page.items.map((x) => commentJson(c.world, c.repo, x)),
        page.headers,
      );
    },
  ],
  ['POST', `${R}/issues/{issue_number}/comments`, createComment],
  ['GET', `${R}/issues/comments/{comment_id}`, (c) => ok(commentJson(c.world, c.repo, getComment(c)))],
  ['PATCH', `${R}/issues/comments/{comment_id}`, updateComment],
  [
    'GET',
    `${R}/issues/{issue_number}/labels`,
    (c) => ok(getIssueOr404(c).labels.map((l) => labelJson(c.world, c.repo, l))),
  ],
  ['POST', `${R}/issues/{issue_number}/labels`, addLabels],
  ['DELETE', `${R}/issues/{issue_number}/labels/{name}`, removeLabel],

  // Pull requests
  ['GET', `${R}/pulls`, listPulls],
  ['POST', `${R}/pulls`, postPull],
  ['GET', `${R}/pulls/{pull_number}`, (c) => ok(pullJson(c.world, c.repo, getPullOr404(c)))],
  ['PATCH', `${R}/pulls/{pull_number}`, updatePull],
  ['GET', `${R}/pulls/{pull_number}/files`, listPullFiles],

  // Contents and git refs
  ['GET', `${R}/contents/{+path}`, getContents],
  ['PUT', `${R}/contents/{+path}`, putContents],
  ['GET', `${R}/git/ref/{+ref}`, getRef],
  ['POST', `${R}/git/refs`, createRef],
  ['PATCH', `${R}/git/refs/{+ref}`, updateRef],
  ['DELETE', `${R}/git/refs/{+ref}`, deleteRef],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Template → RegExp with named groups (see the route table comment; `*` matches anything). */
function compilePath(template: string): RegExp {
  let src = '';
  for (const part of template.split(/(\/\{\+\w+\}|\{\w+\}|\*)/)) {
    if (!part) continue;
    const rest = /^\/\{\+(\w+)\}$/.exec(part);
    const one = /^\{(\w+)\}$/.exec(part);
    if (rest) src += `(?:/(?<${rest[1]}>.*))?`;
    else if (one) src += `(?<${one[1]}>[^/]+)`;
    else if (part === '*') src += '.*';
    else src += escapeRegExp(part);
  }
  return new RegExp(`^${src}/?$`);
}

const COMPILED = ROUTES.map(([method, template, handler]) => ({ method, pattern: compilePath(template), handler }));

function compileMatcher(matcher: RouteMatcher): (req: RecordedRequest) => boolean {
  if (typeof matcher === 'function') return matcher;
  if (matcher instanceof RegExp) return (req) => matcher.test(`${req.method} ${req.path}`);
  if (typeof matcher === 'object') {
    const method = matcher.method?.toUpperCase();
    const path = typeof matcher.path === 'string' ? compilePath(matcher.path) : matcher.path;
    return (req) => (method === undefined || req.method === method) && (path === undefined || path.test(req.path));
  }
  const space = matcher.indexOf(' ');
  const method = matcher.startsWith('/') || space === -1 ? undefined : matcher.slice(0, space).toUpperCase();
  const pattern = compilePath(method ? matcher.slice(space + 1).trim() : matcher);
  return (req) => (method === undefined || req.method === method) && pattern.test(req.path);
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Token from `token X` / `Bearer X`; undefined when absent. */
function tokenOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const m = /^(?:token|bearer)\s+(.+)$/i.exec(authorization.trim());
  return m ? m[1] : authorization.trim();
}

export async function startGitHubApi(opts: StartGitHubApiOptions = {}): Promise<GitHubApi> {
  const state: FakeState = { repos: new Map(), runs: new Map(), dispatches: [], workflowDispatches: [] };
  const world: World = { state, url: '', strictRepos: opts.strictRepos ?? false, nextId: 1_000_001 };
  const requests: RecordedRequest[] = [];
  const scripts: Array<{ match: (req: RecordedRequest) => boolean; queue: ScriptedResponse[] }> = [];
  const resetAt = Math.floor(Date.now() / 1000) + 3600;

  createRepo(world, DEFAULT_REPO);
  for (const [name, setup] of Object.entries(opts.repos ?? {})) {
    if (!state.repos.has(name.toLowerCase())) createRepo(world, name, setup);
  }

  /** Headers GitHub sends on every response; scripted headers override them. */
  function baseHeaders(): Record<string, string> {
    const used = requests.length;
    return {
      'x-github-request-id': `FAKE:${used.toString(16).toUpperCase()}`,
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, 5000 - used)),
      'x-ratelimit-reset': String(resetAt),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
    };
  }

  function send(
    res: ServerResponse,
    rec: RecordedRequest,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ): void {
    rec.status = status;
    const headers = baseHeaders();
    for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    let payload: string | Buffer | undefined;
    if (body === undefined && status >= 400) {
      // A scripted error without a body still looks like GitHub's.
      payload = JSON.stringify({
        message: STATUS_CODES[status] ?? 'Error',
        documentation_url: DOCS,
        status: String(status),
      });
    } else if (body === undefined || status === 204 || status === 304) {
      payload = undefined;
    } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
      payload = body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(body);
    }
    if (payload !== undefined) headers['content-type'] ??= 'application/json; charset=utf-8';
    res.writeHead(status, headers);
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      // Keep the raw path; it will simply not match a route.
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    const rec: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: parseBody(raw),
    };
    requests.push(rec);

    // 1. Scripted responses win over everything, so tests can simulate any failure.
    const script = scripts.find((s) => s.queue.length > 0 && s.match(rec));
    const scripted = script?.queue.shift();
    if (scripted) {
      rec.scripted = true;
      if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
      if (scripted.reset) {
        rec.status = 0;
        req.socket.destroy();
        return;
      }
      send(res, rec, scripted.status, scripted.body, scripted.headers);
      return;
    }

    // 2. Signed blob URLs (artifact downloads) carry their own signature, not the token.
    const blob = /^\/_artifact-blobs\/(\d+)\.zip$/.exec(path);
    if (blob && rec.method === 'GET') {
      const artifact = [...state.runs.values()].flatMap((run) => run.artifacts).find((a) => a.id === Number(blob[1]));
      if (artifact) send(res, rec, 200, artifact.zip, { 'content-type': 'application/zip' });
      else send(res, rec, 404, '<Error><Code>BlobNotFound</Code></Error>', { 'content-type': 'application/xml' });
      return;
    }

    // 2b. Authentication, answered like GitHub.
    if (opts.requireToken) {
      const token = tokenOf(headers['authorization']);
      if (token === undefined) {
        send(res, rec, 401, { message: 'Requires authentication', documentation_url: DOCS, status: '401' });
        return;
      }
      if (typeof opts.requireToken === 'string' && token !== opts.requireToken) {
        send(res, rec, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
        return;
      }
    }

    // 3. The route table.
    for (const route of COMPILED) {
      if (route.method !== rec.method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = { ...m.groups };
      try {
        const repo = getRepo(world, `${params['owner'] ?? ''}/${params['repo'] ?? ''}`, !world.strictRepos);
        if (!repo) throw notFound();
        const reply = route.handler({ world, req: rec, params, repo, body: isRecord(rec.body) ? rec.body : {} });
        send(res, rec, reply.status, reply.body, reply.headers);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        send(res, rec, error.status, error.body);
      }
      return;
    }

    // 4. Nothing matched: a logged 404, so a test notices a call the fake does not know.
    rec.unmatched = true;
    if (!opts.quiet) process.stderr.write(`[github-api fake] no route for ${rec.method} ${path}\n`);
    send(res, rec, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake: answer 500 with the reason rather than hang the client.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`[github-api fake] handler error: ${message}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: `fake error: ${message}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  world.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repoOf = (name: string | undefined): RepoModel => {
    const full = name ?? DEFAULT_REPO;
    return getRepo(world, full, false) ?? createRepo(world, full);
  };

  return {
    url: world.url,
    requests,
    state,
    get unmatched() {
      return requests.filter((r) => r.unmatched);
    },
    script(matcher, responses) {
      const entry = { match: compileMatcher(matcher), queue: [...responses] };
      scripts.push(entry);
      return {
        get remaining() {
          return entry.queue.length;
        },
      };
    },
    repo(fullName, setup) {
      const full = fullName ?? DEFAULT_REPO;
      return getRepo(world, full, false) ?? createRepo(world, full, setup);
    },
    addRun(input = {}) {
      const repo = repoOf(input.repo);
      const run = newRun(world, repo, {
        name: input.name ?? 'CI',
        workflowId: input.workflowId ?? null,
        event: input.event ?? 'repository_dispatch',
      });
      if (input.displayTitle !== undefined) run.displayTitle = input.displayTitle;
      return run;
    },
    addArtifact(runId, name, zip, o = {}) {
      const run = state.runs.get(runId);
      if (!run) throw new Error(`addArtifact: no run ${runId} (setJobs first)`);
      const artifact: ArtifactModel = { id: world.nextId++, name, zip, createdAt: now(), expired: o.expired ?? false };
      run.artifacts.push(artifact);
      return artifact;
    },
    setRunDetails(runId, details) {
      const run = state.runs.get(runId);
      if (!run) throw new Error(`setRunDetails: no run ${runId} (setJobs first)`);
      if (details.createdAt) run.createdAt = details.createdAt;
      if (details.actor) run.actor = details.actor;
      if (details.triggeringActor) run.triggeringActor = details.triggeringActor;
      if (details.approvals) run.approvals = details.approvals;
    },
    setJobs(runId, attempt, jobs, o = {}) {
      const repo = repoOf(o.repo);
      const run =
        state.runs.get(runId) ??
        newRun(world, repo, {
          id: runId,
          name: o.workflowName ?? 'CI',
          workflowId: null,
          event: o.event ?? 'push',
          ...(o.headBranch ? { headBranch: o.headBranch } : {}),
          ...(o.headSha ? { headSha: o.headSha } : {}),
        });
      const built = jobs.map((j) => buildJob(world, run.repo, run, attempt, j));
      run.attempts.set(attempt, built);
      return built;
    },
    addWorkflow(input, repo) {
      return addWorkflow(world, repoOf(repo), input);
    },
    addIssue(input, repo) {
      return newIssue(world, repoOf(repo), input, false);
    },
    createBranch(name, o = {}) {
      const repo = repoOf(o.repo);
      const from = resolveCommit(repo, o.from);
      if (!from) throw new Error(`createBranch: unknown ref ${o.from ?? repo.defaultBranch}`);
      repo.branches.set(name, from.sha);
      return from.sha;
    },
    commitFiles(files, o = {}) {
      const repo = repoOf(o.repo);
      const changes: Record<string, Buffer | null> = {};
      for (const [p, text] of Object.entries(files)) changes[p] = text === null ? null : Buffer.from(text);
      return commitToBranch(world, repo, o.branch ?? repo.defaultBranch, changes, o.message ?? 'Update files').sha;
    },
    openPull(input, repoName) {
      const repo = repoOf(repoName);
      const base = input.base ?? repo.defaultBranch;
      if (!repo.branches.has(input.head)) {
        repo.branches.set(input.head, repo.branches.get(base) ?? '');
      }
      const changes: Record<string, Buffer | null> = {};
      for (const [p, text] of Object.entries(input.files)) changes[p] = text === null ? null : Buffer.from(text);
      commitToBranch(world, repo, input.head, changes, input.title);
      return createPull(world, repo, {
        head: input.head,
        base,
        title: input.title,
        body: input.body ?? null,
        draft: input.draft ?? false,
        user: 'octocat',
      }).number;
    },
    readFile(path, o = {}) {
      return resolveCommit(repoOf(o.repo), o.ref)?.files.get(path)?.content.toString('utf8');
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // octokit's fetch keeps connections alive; without this close() waits for them to idle out.
        server.closeAllConnections();
      });
    },
  };
}
