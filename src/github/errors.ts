/**
 * The one reading of GitHub's error answers (octokit RequestErrors): the status, GitHub's own
 * message, whether trying later can help, and what to check. Callers phrase the failure of their
 * call around it; none of them inspects statuses on its own.
 */

export type GitHubErrorKind =
  'auth' | 'rate_limited' | 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'server' | 'no_answer' | 'other';

export interface GitHubErrorInfo {
  /** GitHub's HTTP status, when GitHub answered. */
  status: number | undefined;
  kind: GitHubErrorKind;
  /** GitHub's message and validation errors, without request details (never the token). */
  message: string;
  /** Whether the same call can succeed later. */
  transient: boolean;
}

export function githubStatus(error: unknown): number | undefined {
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's message and validation errors from an octokit RequestError, without request details. */
export function githubMessage(error: unknown): string {
  const e = error as { message?: string; response?: { data?: unknown } };
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const parts: string[] = [];
  if (typeof data?.message === 'string') parts.push(data.message.replace(/\s*\n+\s*/g, ' ').trim());
  if (Array.isArray(data?.errors)) {
    for (const item of data.errors) {
      if (typeof item === 'string') parts.push(item);
      else if (item && typeof item === 'object') {
        const it = item as Record<string, unknown>;
        const text = [it['resource'], it['field'], it['code'], it['message']]
          .filter((x) => typeof x === 'string')
          .join(' ');
        if (text) parts.push(text);
      }
    }
  }
  if (parts.length === 0 && typeof e.message === 'string') parts.push(e.message.split(' - ')[0] ?? e.message);
  return parts.join('; ');
}

function kindOf(status: number | undefined, message: string): GitHubErrorKind {
  if (status === undefined) return 'no_answer';
  if (status === 401) return 'auth';
  if (status === 429 || (status === 403 && /rate limit/i.test(message))) return 'rate_limited';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid';
  if (status >= 500) return 'server';
  return 'other';
}

const TRANSIENT: ReadonlySet<GitHubErrorKind> = new Set(['rate_limited', 'server', 'no_answer']);

export function readGitHubError(error: unknown): GitHubErrorInfo {
  const status = githubStatus(error);
  const message = githubMessage(error) || String(error);
  const kind = kindOf(status, message);
  return { status, kind, message, transient: TRANSIENT.has(kind) };
}

/**
 * What to check after a failed call. `permissions` is what the call needs in the job's
 * `permissions:` block (e.g. 'actions: read'); GitHub answers 404 as well as 403 when a token
 * may not see a repository, so both point at it.
 */
export function githubHint(kind: GitHubErrorKind, permissions: string): string | undefined {
  switch (kind) {
    case 'auth':
      return 'the token was refused; check github-token';
    case 'forbidden':
      return `the token may not do this: the job needs \`permissions: ${permissions}\``;
    case 'not_found':
      return `not found, or the token cannot see it: check the name, and that the job has \`permissions: ${permissions}\``;
    case 'conflict':
      return 'it changed meanwhile; run again';
    case 'rate_limited':
      return 'rate-limited; try again later';
    default:
      return undefined;
  }
}

/** One line: `GitHub API: <what> failed with <status>: <message> (<hint>)`. */
export function describeGitHubError(what: string, error: unknown, permissions: string): string {
  const info = readGitHubError(error);
  const hint = githubHint(info.kind, permissions);
  const status = info.status === undefined ? '' : ` with ${info.status}`;
  return `GitHub API: ${what} failed${status}: ${info.message.split('\n')[0] ?? ''}${hint ? ` (${hint})` : ''}`;
}
