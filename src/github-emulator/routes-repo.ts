/** Route handlers of the repository API: issues, comments, labels, pull requests, contents, git refs. */
import { type Ctx, getIssueOr404, getPullOr404, intParam, ok, paginate, R, type Route } from './context.js';
import { commentJson, commitJson, contentLinks, fileJson, issueJson, labelJson, pullJson, refJson } from './json.js';
import {
  ACTOR,
  ACTOR_EMAIL,
  commitToBranch,
  createPull,
  DOCS,
  encodePath,
  ghError,
  HTML,
  isAncestor,
  isRecord,
  now,
  notFound,
  resolveCommit,
  sha1,
  str,
  validationFailed,
  wrapBase64,
} from './model.js';
import type { BlobModel, CommentModel, IssueModel, PullModel, Reply } from './types.js';

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

/** A comment's body, required as on GitHub (422 naming the field when it is missing or empty). */
function commentBody(c: Ctx, doc: string): string {
  const body = str(c.body, 'body');
  if (!body) throw validationFailed(doc, { resource: 'IssueComment', code: 'missing_field', field: 'body' });
  return body;
}

function createComment(c: Ctx): Reply {
  const issue = getIssueOr404(c);
  const body = commentBody(c, `${DOCS}/issues/comments#create-an-issue-comment`);
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
  comment.body = commentBody(c, `${DOCS}/issues/comments#update-an-issue-comment`);
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
/** Issues (pull requests share these: numbers, comments, labels). */
export const ISSUES_ROUTES: Route[] = [
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
];

export const PULLS_ROUTES: Route[] = [
  ['GET', `${R}/pulls`, listPulls],
  ['POST', `${R}/pulls`, postPull],
  ['GET', `${R}/pulls/{pull_number}`, (c) => ok(pullJson(c.world, c.repo, getPullOr404(c)))],
  ['PATCH', `${R}/pulls/{pull_number}`, updatePull],
  ['GET', `${R}/pulls/{pull_number}/files`, listPullFiles],
];

export const CONTENTS_ROUTES: Route[] = [
  ['GET', `${R}/contents/{+path}`, getContents],
  ['PUT', `${R}/contents/{+path}`, putContents],
];

export const GIT_ROUTES: Route[] = [
  ['GET', `${R}/git/ref/{+ref}`, getRef],
  ['POST', `${R}/git/refs`, createRef],
  ['PATCH', `${R}/git/refs/{+ref}`, updateRef],
  ['DELETE', `${R}/git/refs/{+ref}`, deleteRef],
];
