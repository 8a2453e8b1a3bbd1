import { existsSync, readFileSync } from 'node:fs';
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
/** parseInt, as Context reads the run id and attempt ('' and junk: undefined, not NaN). */
function number(value: string | undefined): string | undefined {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isFinite(parsed) ? String(parsed) : undefined;
}

function repositoryOf(env: NodeJS.ProcessEnv, payload: Record<string, unknown>): string | undefined {
  let owner: unknown;
  let repo: unknown;
  if (env.GITHUB_REPOSITORY) [owner, repo] = env.GITHUB_REPOSITORY.split('/');
  else {
    // A payload that is JSON but not an object (null) has no repository either.
    const repository = (payload as { repository?: { name?: unknown; owner?: { login?: unknown } } } | null)?.repository;
    owner = repository?.owner?.login;
    repo = repository?.name;
  }
  return owner && repo ? `${String(owner)}/${String(repo)}` : undefined;
}

/** The webhook payload; none (`{}`) when the variable is unset or names no file. */
function readPayload(path: string | undefined): Record<string, unknown> {
  if (!path || !existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`GITHUB_EVENT_PATH '${path}' is not a JSON event payload: ${errorMessage(error)}`);
  }
}

/**
 * Reads the context of the current process (its environment and event file) as @actions/github's
 * Context class does (test/io/github-context.test.ts holds the two to the same answers), without
 * its module: one file fewer on every action's start path (issue 15). Unlike Context it prints
 * nothing when GITHUB_EVENT_PATH names no file: on the CLI, stdout is the command's output.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  return {
    payload,
    eventName: text(env.GITHUB_EVENT_NAME),
    repository: repositoryOf(env, payload),
    sha: text(env.GITHUB_SHA),
    ref: text(env.GITHUB_REF),
    workflow: text(env.GITHUB_WORKFLOW),
    action: text(env.GITHUB_ACTION),
    actor: text(env.GITHUB_ACTOR),
    job: text(env.GITHUB_JOB),
    runId: number(env.GITHUB_RUN_ID),
    runAttempt: number(env.GITHUB_RUN_ATTEMPT),
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  };
}
