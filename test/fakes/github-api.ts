/**
 * The tests' GitHub REST API: the shipped emulator (`src/github-emulator/`, the same one the
 * local workflow runner serves) plus what only tests need — scripted responses for fault
 * injection (5xx, rate limits, 422s, delays, dropped connections), a token check, and a warning
 * on stderr for a request no route answers.
 *
 * Why a loopback server rather than mocking octokit: the code under test builds its own Octokit
 * (plugins, baseUrl from GITHUB_API_URL, retries), so the only honest seam is HTTP.
 */
import { compilePath } from '../../src/github-emulator/routes.js';
import { startGitHubEmulator } from '../../src/github-emulator/server.js';
import type { GitHubEmulator, RecordedRequest, RepoSetup, Reply } from '../../src/github-emulator/types.js';

export { DEFAULT_REPO, type RecordedRequest } from '../../src/github-emulator/types.js';

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

export interface GitHubApi extends GitHubEmulator {
  /** Queue responses for matching requests; used in order, then the default behaviour resumes. */
  script(matcher: RouteMatcher, responses: ScriptedResponse[]): ScriptHandle;
}

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

const unauthorized = (message: string): Reply => ({
  status: 401,
  body: { message, documentation_url: 'https://docs.github.com/rest', status: '401' },
});

export async function startGitHubApi(opts: StartGitHubApiOptions = {}): Promise<GitHubApi> {
  const scripts: Array<{ match: (req: RecordedRequest) => boolean; queue: ScriptedResponse[] }> = [];
  const { requireToken } = opts;
  const emulator = await startGitHubEmulator({
    ...(opts.repos ? { repos: opts.repos } : {}),
    strictRepos: opts.strictRepos ?? false,
    // Scripted responses win over everything, so tests can simulate any failure.
    async before(request) {
      const scripted = scripts.find((s) => s.queue.length > 0 && s.match(request))?.queue.shift();
      if (!scripted) return undefined;
      if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      if (scripted.reset) return { reset: true };
      return {
        status: scripted.status,
        body: scripted.body,
        ...(scripted.headers ? { headers: scripted.headers } : {}),
      };
    },
    authenticate(token) {
      if (!requireToken) return undefined;
      if (token === undefined) return unauthorized('Requires authentication');
      if (typeof requireToken === 'string' && token !== requireToken) return unauthorized('Bad credentials');
      return undefined;
    },
    onUnmatched(request) {
      if (!opts.quiet) process.stderr.write(`[github-api fake] no route for ${request.method} ${request.path}\n`);
    },
  });
  return Object.assign(emulator, {
    script(matcher: RouteMatcher, responses: ScriptedResponse[]): ScriptHandle {
      const entry = { match: compileMatcher(matcher), queue: [...responses] };
      scripts.push(entry);
      return {
        get remaining() {
          return entry.queue.length;
        },
      };
    },
  });
}
