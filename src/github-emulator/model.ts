/**
 * The emulator's in-memory model and its rules: repositories whose commits are full snapshots,
 * branches, issues and pull requests sharing numbers, workflows, runs and their jobs — and the
 * GitHub-shaped errors the route handlers throw.
 */
import { createHash } from 'node:crypto';
import { parseRepository } from '../github/repository.js';
import type {
  ApiJob,
  ApiStep,
  CommitModel,
  BlobModel,
  EmulatorState,
  IssueInput,
  IssueModel,
  JobInput,
  JobStatus,
  RepoModel,
  RepoSetup,
  RunModel,
  WorkflowModel,
} from './types.js';

export const HTML = 'https://github.com';
export const DOCS = 'https://docs.github.com/rest';
/** The identity GITHUB_TOKEN acts as; authored comments and commits carry it. */
export const ACTOR = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const };
export const ACTOR_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

/** GitHub timestamps have second precision: 2024-01-01T00:00:00Z. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The real git blob id, so callers comparing shas with `git hash-object` agree. */
export function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}

export function userJson(login: string, id?: number, type: 'User' | 'Bot' | 'Organization' = 'User') {
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

/** GitHub wraps base64 file content at 60 columns; clients must cope, so the emulator does too. */
export function wrapBase64(content: Buffer): string {
  const b64 = content.toString('base64');
  return b64.replace(/.{1,60}/g, '$&\n');
}

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

/** An answer the handlers throw to stop early with a GitHub-style error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body['message']));
  }
}

/** GitHub error bodies: message, documentation_url, and (recently) status as a string. */
export function ghError(status: number, message: string, doc = DOCS, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(status, { message, ...extra, documentation_url: doc, status: String(status) });
}

/** 422 "Validation Failed" with an `errors` array, as the pulls/issues endpoints answer. */
export function validationFailed(doc: string, ...errors: Array<Record<string, unknown>>): HttpError {
  return ghError(422, 'Validation Failed', doc, { errors });
}

export function notFound(doc = DOCS): HttpError {
  return ghError(404, 'Not Found', doc);
}

// Repository model: commits are full snapshots (path → blob), branches point at commits.

export interface World {
  state: EmulatorState;
  url: string;
  strictRepos: boolean;
  /** One counter for every id the emulator hands out (jobs, comments, labels, runs…). */
  nextId: number;
}

export function makeCommit(
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

export function createRepo(world: World, fullName: string, setup: RepoSetup = {}): RepoModel {
  const parsed = parseRepository(fullName);
  if (!parsed) throw new Error(`not an owner/repo name: ${fullName}`);
  const { owner, repo: name } = parsed;
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

export function getRepo(world: World, fullName: string, create: boolean): RepoModel | undefined {
  const existing = world.state.repos.get(fullName.toLowerCase());
  if (existing || !create || !parseRepository(fullName)) return existing;
  return createRepo(world, fullName);
}

/** A branch name (optionally `refs/heads/` or `heads/`), or a full or abbreviated commit sha. */
export function resolveCommit(repo: RepoModel, ref: string | undefined): CommitModel | undefined {
  const wanted = ref ?? repo.defaultBranch;
  const branch = wanted.replace(/^refs\/heads\//, '').replace(/^heads\//, '');
  const branchSha = repo.branches.get(branch);
  if (branchSha) return repo.commits.get(branchSha);
  if (/^[0-9a-f]{7,40}$/.test(wanted)) {
    for (const [sha, commit] of repo.commits) if (sha.startsWith(wanted)) return commit;
  }
  return undefined;
}

export function isAncestor(repo: RepoModel, ancestor: string, descendant: string): boolean {
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

export function commitToBranch(
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

export function labelId(world: World, repo: RepoModel, name: string): number {
  let id = repo.labels.get(name);
  if (id === undefined) {
    id = world.nextId++;
    repo.labels.set(name, id);
  }
  return id;
}

export function newIssue(world: World, repo: RepoModel, input: IssueInput, isPull: boolean): IssueModel {
  const at = now();
  const issue: IssueModel = {
    id: world.nextId++,
    number: input.number ?? repo.nextNumber,
    title: input.title,
    body: input.body ?? null,
    state: input.state ?? 'open',
    labels: [...new Set(input.labels ?? [])],
    user: input.user ?? 'octocat',
    createdAt: at,
    updatedAt: at,
    closedAt: input.state === 'closed' ? at : null,
    isPull,
    ...(input.extra ? { extra: input.extra } : {}),
  };
  repo.nextNumber = Math.max(repo.nextNumber, issue.number + 1);
  for (const l of issue.labels) labelId(world, repo, l);
  repo.issues.set(issue.number, issue);
  return issue;
}

/** Shared by POST /pulls and the openPull helper, with GitHub's 422s. */
export function createPull(
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

export function findWorkflow(world: World, repo: RepoModel, idOrFile: string): WorkflowModel | undefined {
  if (/^\d+$/.test(idOrFile)) return repo.workflows.get(Number(idOrFile));
  const path = `.github/workflows/${idOrFile}`;
  for (const wf of repo.workflows.values()) if (wf.path === path) return wf;
  // A workflow file name nobody declared: create it, since tests rarely care about the registry.
  if (world.strictRepos) return undefined;
  return addWorkflow(world, repo, { file: idOrFile });
}

export function addWorkflow(
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

export function buildJob(world: World, repo: string, run: RunModel, attempt: number, input: JobInput): ApiJob {
  const id = input.id ?? world.nextId++;
  const at = now();
  const status: JobStatus = input.status ?? (input.conclusion === null ? 'in_progress' : 'completed');
  const conclusion = input.conclusion !== undefined ? input.conclusion : status === 'completed' ? 'success' : null;
  const started = status !== 'queued' && status !== 'waiting' && status !== 'pending';
  const steps = (input.steps ?? []).map((s, i): ApiStep => {
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

export function newRun(
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
