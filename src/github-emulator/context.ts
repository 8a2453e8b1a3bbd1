/** The context route handlers share, and their small helpers (ids from the path, pagination). */
import { DOCS, encodePath, notFound, type World } from './model.js';
import type { GitHubEmulatorOptions, IssueModel, PullModel, RecordedRequest, RepoModel, Reply } from './types.js';

/** What a route handler gets: the model, the recorded request, the path parameters, the repository. */
export interface Ctx {
  world: World;
  req: RecordedRequest;
  params: Record<string, string>;
  repo: RepoModel;
  /** The JSON body when it is an object, else {}. */
  body: Record<string, unknown>;
  /** Told of an accepted dispatch (the local runner starts workflows from it). */
  onDispatch: NonNullable<GitHubEmulatorOptions['onDispatch']>;
}

export type Handler = (c: Ctx) => Reply;
export type Route = [method: string, template: string, handler: Handler];

export const R = '/repos/{owner}/{repo}';

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

export function intParam(c: Ctx, name: string): number {
  const v = c.params[name] ?? '';
  if (!/^\d+$/.test(v)) throw notFound();
  return Number(v);
}

/** per_page/page like GitHub (30 default, 100 max) with a Link header octokit.paginate follows. */
export function paginate<T>(c: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
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

export function getIssueOr404(c: Ctx): IssueModel {
  const issue = c.repo.issues.get(intParam(c, 'issue_number'));
  if (!issue) throw notFound(`${DOCS}/issues/issues#get-an-issue`);
  return issue;
}

export function getPullOr404(c: Ctx): PullModel {
  const pull = c.repo.pulls.get(intParam(c, 'pull_number'));
  if (!pull) throw notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
  return pull;
}
