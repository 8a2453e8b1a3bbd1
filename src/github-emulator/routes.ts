/**
 * The route table. `{name}` is one path segment; `/{+name}` is the rest of the path (slashes
 * allowed, may be empty) — octokit sends `heads/feature/x` and `dir/file.txt` %2F-encoded and
 * the dispatcher matches against the decoded path. Every route is under /repos/{owner}/{repo}.
 */
import { type Handler, ok, R, type Route } from './context.js';
import { repoJson } from './json.js';
import { ACTIONS_ROUTES, DISPATCH_ROUTES } from './routes-actions.js';
import { CONTENTS_ROUTES, GIT_ROUTES, ISSUES_ROUTES, PULLS_ROUTES } from './routes-repo.js';
import type { RouteGroup } from './types.js';

const GROUPS: Record<RouteGroup, Route[]> = {
  repository: [['GET', R, (c) => ok(repoJson(c.world, c.repo))]],
  actions: ACTIONS_ROUTES,
  dispatch: DISPATCH_ROUTES,
  issues: ISSUES_ROUTES,
  pulls: PULLS_ROUTES,
  contents: CONTENTS_ROUTES,
  git: GIT_ROUTES,
};

export const ALL_GROUPS = Object.keys(GROUPS) as RouteGroup[];

export interface CompiledRoute {
  method: string;
  pattern: RegExp;
  handler: Handler;
  group: RouteGroup;
}

export const COMPILED: CompiledRoute[] = ALL_GROUPS.flatMap((group) =>
  GROUPS[group].map(([method, template, handler]) => ({ method, pattern: compilePath(template), handler, group })),
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Template → RegExp with named groups (see the route table comment; `*` matches anything). */
export function compilePath(template: string): RegExp {
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
