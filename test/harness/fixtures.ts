/**
 * Test fixtures: each starts what a test needs on loopback and registers its cleanup with
 * `t.after`, so a test leaves nothing behind (servers stopped, clients closed, folders removed)
 * whether it passes or fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { startGitHubApi, type GitHubApi, type StartGitHubApiOptions } from '../fakes/github-api.js';
import {
  startRedis,
  startRedisCluster,
  type RedisCluster,
  type RedisServer,
  type StartRedisClusterOptions,
  type StartRedisOptions,
} from '../fakes/redis.js';

/** A fresh folder in the temp directory, removed when the test ends. */
export function useTempDir(t: TestContext, prefix = 'autostack-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real redis-server and an ioredis client of it; the client disconnects, then the server stops. */
export async function useRedis(
  t: TestContext,
  options: StartRedisOptions = {},
): Promise<{ server: RedisServer; redis: Redis }> {
  const server = await startRedis(options);
  const redis = new Redis(server.url);
  t.after(async () => {
    redis.disconnect();
    await server.stop();
  });
  return { server, redis };
}

/** A real three-master Redis Cluster and a cluster client seeded with its first node. */
export async function useRedisCluster(
  t: TestContext,
  options: StartRedisClusterOptions = {},
): Promise<{ cluster: RedisCluster; client: Cluster }> {
  const cluster = await startRedisCluster(options);
  const seed = cluster.nodes[0];
  if (!seed) throw new Error('the Redis Cluster started without nodes');
  const client = new Cluster([seed]);
  t.after(async () => {
    client.disconnect();
    await cluster.stop();
  });
  return { cluster, client };
}

/** The GitHub API emulator with the tests' conveniences (scripts, token check), closed at the end. */
export async function useGitHubApi(t: TestContext, options: StartGitHubApiOptions = {}): Promise<GitHubApi> {
  const api = await startGitHubApi(options);
  t.after(() => api.close());
  return api;
}

/**
 * One service for the enclosing `describe`: started in its `before` hook, stopped in its `after`
 * hook. Returns an accessor, since the service exists only once the suite has started.
 */
export function forSuite<T>(start: () => Promise<T>, stop: (service: T) => Promise<unknown>): () => T {
  let service: T | undefined;
  before(async () => {
    service = await start();
  });
  after(async () => {
    if (service !== undefined) await stop(service);
  });
  return () => {
    if (service === undefined) throw new Error('a suite fixture was read before its suite started');
    return service;
  };
}
