import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
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

/**
 * @actions/artifact uploads files, so the bytes are staged first. The record is in memory; a
 * full or read-only disk must not cost the artifact too: RUNNER_TEMP (the workspace disk on a
 * runner) is tried first, then /dev/shm (tmpfs: memory, not the disk that filled up), then the
 * system temp folder. The first place that takes every file is used.
 */
function stageFiles(files: Record<string, string>): { root: string; paths: string[] } {
  const places = [process.env.RUNNER_TEMP, '/dev/shm', tmpdir()].filter((place): place is string => Boolean(place));
  const failures: string[] = [];
  for (const place of [...new Set(places)]) {
    let root: string | undefined;
    try {
      root = mkdtempSync(join(place, 'autostack-artifact-'));
      const staged = root;
      const paths = Object.entries(files).map(([fileName, content]) => {
        const path = join(staged, fileName);
        writeFileSync(path, content);
        return path;
      });
      return { root, paths };
    } catch (error) {
      if (root) rmSync(root, { recursive: true, force: true });
      failures.push(`${place}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
    }
  }
  throw new Error(`no folder could hold the artifact's files for upload (${failures.join('; ')})`);
}

const actionsArtifacts: ArtifactStore = {
  async upload(name, files, retentionDays) {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const { root, paths } = stageFiles(files);
    try {
      const result = await new DefaultArtifactClient().uploadArtifact(name, paths, root, { retentionDays });
      return { id: result.id, size: result.size };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
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
