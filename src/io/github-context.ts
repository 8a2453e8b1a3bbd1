// '@actions/github/context' is a tsconfig path to @actions/github's lib/context.js: the package's
// exports map offers only its entry, which builds Octokit with undici at load (~0.4 s unbundled);
// the Context class alone is ~2 KB bundled and costs nothing measurable at start.
import { Context } from '@actions/github/context';
import { errorMessage, UserError } from '../shared/errors.js';

/**
 * The workflow run this process is in, as @actions/github reads it from the GITHUB_* variables and
 * the webhook payload at GITHUB_EVENT_PATH. Built once by the composition root (an action's main,
 * a CLI command) and passed in; domain code never reads those variables itself. Unset variables are
 * `undefined` here (Context has '' or NaN for them).
 */
export interface GitHubContext {
  /** The webhook payload that triggered the run; `{}` off a runner. */
  payload: Record<string, unknown>;
  eventName?: string | undefined;
  /** owner/repo */
  repository?: string | undefined;
  sha?: string | undefined;
  ref?: string | undefined;
  workflow?: string | undefined;
  /** The step's action id (GITHUB_ACTION). */
  action?: string | undefined;
  actor?: string | undefined;
  job?: string | undefined;
  runId?: string | undefined;
  runAttempt?: string | undefined;
  /** https://github.com unless GITHUB_SERVER_URL says otherwise (GHES). */
  serverUrl: string;
  /** https://api.github.com unless GITHUB_API_URL says otherwise (GHES, or a loopback fake in tests). */
  apiUrl: string;
}

const text = (value: string | undefined): string | undefined => value || undefined;
const number = (value: number): string | undefined => (Number.isFinite(value) ? String(value) : undefined);

function repositoryOf(context: Context): string | undefined {
  try {
    const { owner, repo } = context.repo;
    return owner && repo ? `${owner}/${repo}` : undefined;
  } catch {
    return undefined; // neither GITHUB_REPOSITORY nor a repository in the payload
  }
}

/** Reads the context of the current process (its environment and event file). */
export function readGitHubContext(): GitHubContext {
  let context: Context;
  try {
    context = new Context();
  } catch (error) {
    throw new UserError(
      `GITHUB_EVENT_PATH '${process.env.GITHUB_EVENT_PATH ?? ''}' is not a JSON event payload: ${errorMessage(error)}`,
    );
  }
  return {
    payload: context.payload,
    eventName: text(context.eventName),
    repository: repositoryOf(context),
    sha: text(context.sha),
    ref: text(context.ref),
    workflow: text(context.workflow),
    action: text(context.action),
    actor: text(context.actor),
    job: text(context.job),
    runId: number(context.runId),
    runAttempt: number(context.runAttempt),
    serverUrl: context.serverUrl,
    apiUrl: context.apiUrl,
  };
}
