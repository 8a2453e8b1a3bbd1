import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Log } from '../io/io.js';

const GitHub = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GitHub>;

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL on a runner (GHES, or a loopback fake in tests). */
  baseUrl?: string | undefined;
  log: Log;
  /** Retries of 5xx and rate limits before the call fails. */
  retries?: number;
}

/**
 * Octokit with GitHub's own retry and throttling plugins: 5xx are retried with backoff,
 * primary and secondary rate limits wait for `retry-after` up to a bound.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const retries = options.retries ?? 3;
  return new GitHub({
    auth: options.token,
    baseUrl: options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
    userAgent: 'autostack',
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => options.log.debug(message),
      error: (message: string) => options.log.debug(message),
    },
    retry: { retries },
    throttle: {
      onRateLimit: waitOrGiveUp('rate limit', options.log, retries),
      onSecondaryRateLimit: waitOrGiveUp('secondary rate limit', options.log, retries),
    },
  });
}

/** Primary and secondary limits alike: say so, and wait for `retry-after` (at most 2 minutes, `retries` times). */
function waitOrGiveUp(kind: string, log: Log, retries: number) {
  return (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    log.warning(`GitHub ${kind} on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
    return retryCount < retries && retryAfter <= 120;
  };
}
