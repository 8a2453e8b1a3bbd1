/** The JSON shapes the emulator answers with: only the fields callers read, named as on GitHub. */
import { createHash } from 'node:crypto';
import { encodePath, HTML, labelId, nodeId, sha1, userJson, type World } from './model.js';
import type {
  ArtifactModel,
  BlobModel,
  CommentModel,
  CommitModel,
  IssueModel,
  PullModel,
  RepoModel,
  RunModel,
  WorkflowModel,
} from './types.js';

export function repoJson(world: World, repo: RepoModel) {
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

export function labelJson(world: World, repo: RepoModel, name: string) {
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

export function issueJson(world: World, repo: RepoModel, issue: IssueModel) {
  const api = `${world.url}/repos/${repo.fullName}`;
  const kind = issue.isPull ? 'pull' : 'issues';
  const comments = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length;
  const json = {
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
  // An issue from an event payload keeps its own fields; what the API changes comes from the model.
  if (!issue.extra) return json;
  const { title, body, state, labels, comments: count, updated_at, closed_at } = json;
  return { ...json, ...issue.extra, title, body, state, labels, comments: count, updated_at, closed_at };
}

export function pullJson(world: World, repo: RepoModel, pull: PullModel) {
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

export function commentJson(world: World, repo: RepoModel, c: CommentModel) {
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

export function contentLinks(
  world: World,
  repo: RepoModel,
  path: string,
  sha: string,
  ref: string,
  type: 'file' | 'dir',
) {
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

export function fileJson(world: World, repo: RepoModel, path: string, blob: BlobModel, ref: string) {
  return {
    type: 'file',
    name: path.split('/').pop() ?? path,
    path,
    sha: blob.sha,
    size: blob.content.length,
    ...contentLinks(world, repo, path, blob.sha, ref, 'file'),
  };
}

export function commitJson(world: World, repo: RepoModel, commit: CommitModel, who: { name: string; email: string }) {
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

export function refJson(world: World, repo: RepoModel, branch: string) {
  const sha = repo.branches.get(branch) as string;
  return {
    ref: `refs/heads/${branch}`,
    node_id: nodeId('REF', parseInt(sha1(branch).slice(0, 8), 16)),
    url: `${world.url}/repos/${repo.fullName}/git/refs/heads/${encodePath(branch)}`,
    object: { sha, type: 'commit', url: `${world.url}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

export function workflowJson(world: World, repo: RepoModel, wf: WorkflowModel) {
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
export function runJson(world: World, run: RunModel) {
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

export function artifactJson(world: World, run: RunModel, a: ArtifactModel) {
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
export function createdFilter(query: string | undefined): (createdAt: string) => boolean {
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
