import type { GitHubClient } from '../github/client.js';
import type { Log } from '../io/io.js';

/**
 * The ports domain code is handed instead of creating clients itself. The composition root
 * (an action's main in src/actions, a CLI command in src/cli) makes them once with
 * `runnerPorts` (src/ports/runner.ts); unit tests may pass in-memory ones. Domain folders import
 * only these types, never `@actions/cache`, `@actions/artifact` or the Octokit factory.
 */

/** The Actions cache: entries keyed by name, holding workspace-relative paths. */
export interface CacheStore {
  /** Restores the entry saved under `key` into `paths`; true on a hit. `lookupOnly` checks without downloading. */
  restore(paths: string[], key: string, options?: { lookupOnly?: boolean }): Promise<boolean>;
  /** Saves `paths` under `key`; false when nothing was saved (the entry exists already). */
  save(paths: string[], key: string): Promise<boolean>;
}

/** Workflow artifacts: uploads a set of named text files as one artifact. */
export interface ArtifactStore {
  upload(
    name: string,
    files: Record<string, string>,
    retentionDays: number,
  ): Promise<{ id: number | undefined; size: number | undefined }>;
}

export interface GitHubAuth {
  token: string;
  /** GITHUB_API_URL on a runner (GHES, or a loopback fake in tests). */
  apiUrl?: string | undefined;
  /** Retries of 5xx and rate limits before a call fails. */
  retries?: number | undefined;
}

/** Hands out the GitHub client for a token; Octokit is loaded on the first call only. */
export type GitHubConnector = (auth: GitHubAuth, log: Log) => Promise<GitHubClient>;

export interface Ports {
  github: GitHubConnector;
  /** Absent off a runner: caches are then the local directories only. */
  cache?: CacheStore | undefined;
  /** Absent off a runner: the run record then stays local. */
  artifacts?: ArtifactStore | undefined;
}
