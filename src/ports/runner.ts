import type { ArtifactStore, CacheStore, GitHubConnector, Ports } from './ports.js';

/** True where the Actions results and cache services are reachable, i.e. on a runner (or its fake). */
export function onActionsRunner(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

// Every client below is loaded on first use (dynamic import): @actions/artifact is the heaviest
// dependency and only the post step that uploads needs it; Octokit only steps that call GitHub.

const actionsCache: CacheStore = {
  async restore(paths, key, options) {
    const cache = await import('@actions/cache');
    const hit = await cache.restoreCache(paths, key, [], options?.lookupOnly ? { lookupOnly: true } : undefined);
    return hit !== undefined;
  },
  async save(paths, key) {
    const cache = await import('@actions/cache');
    return (await cache.saveCache(paths, key)) !== -1;
  },
};

const actionsArtifacts: ArtifactStore = {
  async upload(name, files, retentionDays) {
    const { uploadArtifact } = await import('./artifact-upload.js');
    return uploadArtifact(name, files, retentionDays);
  },
};

const connectGitHub: GitHubConnector = async (auth, log) => {
  const { createGitHubClient } = await import('../github/client.js');
  return createGitHubClient({
    token: auth.token,
    baseUrl: auth.apiUrl,
    log,
    ...(auth.retries === undefined ? {} : { retries: auth.retries }),
  });
};

/** The real ports, made once by each entry point; the Actions services only where a runner provides them. */
export function runnerPorts(env: NodeJS.ProcessEnv = process.env): Ports {
  const runner = onActionsRunner(env);
  return {
    github: connectGitHub,
    cache: runner ? actionsCache : undefined,
    artifacts: runner ? actionsArtifacts : undefined,
  };
}
