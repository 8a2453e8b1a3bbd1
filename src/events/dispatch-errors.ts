import { UserError } from '../shared/errors.js';

/** How a dispatch (dispatch.ts) fails: the error types, and GitHub's answers turned into messages that say what to fix. */

export type DispatchKind = 'repository_dispatch' | 'workflow_dispatch';

/** A dispatch that failed; `transient` tells a caller (the relay) whether trying later can help. */
export class DispatchError extends UserError {
  readonly kind: DispatchKind;
  /** GitHub's HTTP status, when GitHub answered. */
  readonly status: number | undefined;
  readonly transient: boolean;
  constructor(kind: DispatchKind, message: string, options: { status?: number | undefined; transient: boolean }) {
    super(message);
    this.name = 'DispatchError';
    this.kind = kind;
    this.status = options.status;
    this.transient = options.transient;
  }
}

/** A limit that would be exceeded; nothing was sent. */
export class DispatchLimitError extends DispatchError {
  constructor(kind: DispatchKind, message: string) {
    super(kind, message, { transient: false });
    this.name = 'DispatchLimitError';
  }
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

const DEFAULT_BRANCH_NOTE =
  'Note: dispatches only start workflows whose file is on the default branch of the target repository.';

/** Turns an octokit error into a DispatchError that says what to do. Never includes the token. */
export function dispatchFailure(
  kind: DispatchKind,
  repository: string,
  error: unknown,
  workflow?: string,
): DispatchError {
  if (error instanceof DispatchError) return error;
  const status = (error as { status?: number }).status;
  const message = githubMessage(error);
  const what =
    kind === 'repository_dispatch'
      ? `repository_dispatch to ${repository}`
      : `workflow_dispatch of '${workflow ?? '?'}' in ${repository}`;
  const permission = kind === 'repository_dispatch' ? 'contents: write' : 'actions: write';
  if (status === 401) {
    return new DispatchError(
      kind,
      `GitHub rejected the token for ${what} (401 ${message}). Check the github-token secret.`,
      { status, transient: false },
    );
  }
  if (status === 403 && /rate limit/i.test(message)) {
    return new DispatchError(
      kind,
      `GitHub rate-limited the ${what} (403 ${message}) and the retry bound ran out; try again later.`,
      { status, transient: true },
    );
  }
  if (status === 403 || status === 404) {
    const notFound =
      status === 404
        ? workflow
          ? ` (or the workflow '${workflow}' does not exist there)`
          : ' (GitHub answers 404 when the token cannot see the repository)'
        : '';
    return new DispatchError(
      kind,
      `GitHub answered ${status} to the ${what}${notFound}: the token needs '${permission}' on ${repository}. ` +
        `The default GITHUB_TOKEN only reaches its own repository; for another repository use a fine-grained PAT or a GitHub App token with '${permission}'. ${DEFAULT_BRANCH_NOTE} GitHub said: ${message}`,
      { status, transient: false },
    );
  }
  if (status === 422 || status === 400) {
    return new DispatchError(kind, `GitHub rejected the ${what} (${status}): ${message}`, { status, transient: false });
  }
  if (status === 429 || (status !== undefined && status >= 500)) {
    return new DispatchError(
      kind,
      `GitHub kept failing the ${what} (${status} ${message}) after retries; it will succeed on a later attempt if GitHub recovers.`,
      { status, transient: true },
    );
  }
  // Connection errors (octokit reports fetch failures as status 500 already) and the unexpected.
  return new DispatchError(kind, `The ${what} failed: ${message || String(error)}`, {
    status,
    transient: status === undefined,
  });
}
