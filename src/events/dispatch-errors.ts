import { readGitHubError } from '../github/errors.js';
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
  const { status, kind: answer, message, transient } = readGitHubError(error);
  const what =
    kind === 'repository_dispatch'
      ? `repository_dispatch to ${repository}`
      : `workflow_dispatch of '${workflow ?? '?'}' in ${repository}`;
  const permission = kind === 'repository_dispatch' ? 'contents: write' : 'actions: write';
  const fail = (text: string): DispatchError => new DispatchError(kind, text, { status, transient });
  switch (answer) {
    case 'auth':
      return fail(`GitHub rejected the token for ${what} (401 ${message}). Check the github-token secret.`);
    case 'rate_limited':
      return fail(
        `GitHub rate-limited the ${what} (${status} ${message}) and the retry bound ran out; try again later.`,
      );
    case 'forbidden':
    case 'not_found': {
      const notFound =
        answer === 'not_found'
          ? workflow
            ? ` (or the workflow '${workflow}' does not exist there)`
            : ' (GitHub answers 404 when the token cannot see the repository)'
          : '';
      return fail(
        `GitHub answered ${status} to the ${what}${notFound}: the token needs '${permission}' on ${repository}. ` +
          `The default GITHUB_TOKEN only reaches its own repository; for another repository use a fine-grained PAT or a GitHub App token with '${permission}'. ${DEFAULT_BRANCH_NOTE} GitHub said: ${message}`,
      );
    }
    case 'invalid':
      return fail(`GitHub rejected the ${what} (${status}): ${message}`);
    case 'server':
      return fail(
        `GitHub kept failing the ${what} (${status} ${message}) after retries; it will succeed on a later attempt if GitHub recovers.`,
      );
    default:
      // Connection errors (octokit reports fetch failures as status 500 already) and the unexpected.
      return fail(`The ${what} failed: ${message}`);
  }
}
