import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, Redis } from 'ioredis';
import { redisCommand, startRedis, startRedisCluster } from './redis.js';

/** A client that fails fast instead of retrying for ever (the tests want errors, not hangs). */
function quickClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000 });
}

test('a real redis-server answers PING', async (t) => {
  const server = await startRedis();
  t.after(() => server.stop());
  const client = quickClient(server.url);
  t.after(() => client.disconnect());
  assert.equal(await client.ping(), 'PONG');
  assert.match(server.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
});

test('ACL user authenticates; a wrong password is refused', async (t) => {
  const server = await startRedis({
    password: 'admin-pw',
    aclUser: { name: 'app', password: 'app pw"1', commands: '+@all -flushall' },
  });
  t.after(() => server.stop());

  const client = quickClient(server.url);
  t.after(() => client.disconnect());
  assert.equal(await client.call('ACL', 'WHOAMI'), 'app');
  await assert.rejects(client.flushall(), /NOPERM/);

  const wrong = new Redis({
    host: server.host,
    port: server.port,
    username: 'app',
    password: 'wrong',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  t.after(() => wrong.disconnect());
  // ioredis reports the AUTH failure as an 'error' event and then rejects connect() generically.
  const errors: Error[] = [];
  wrong.on('error', (error: Error) => errors.push(error));
  await assert.rejects(wrong.connect());
  assert.match(errors.map((e) => e.message).join('\n'), /WRONGPASS/);

  assert.equal(await redisCommand(server.port, ['PING'], { password: 'admin-pw' }), 'PONG');
});

test('AOF keeps a stream entry across a crash (SIGKILL) and restart', async (t) => {
  const server = await startRedis({ aof: true });
  t.after(() => server.stop());
  const before = quickClient(server.url);
  const id = await before.xadd('events', '*', 'type', 'run.completed');
  assert.ok(id);
  before.disconnect();

  const pid = server.pid;
  await server.kill();
  assert.equal(server.running, false);
  await server.restart();
  assert.notEqual(server.pid, pid);

  const after = quickClient(server.url);
  t.after(() => after.disconnect());
  const entries = await after.xrange('events', '-', '+');
  assert.deepEqual(entries, [[id, ['type', 'run.completed']]]);
});

test('without AOF a restart starts empty', async (t) => {
  const server = await startRedis();
  t.after(() => server.stop());
  const client = quickClient(server.url);
  await client.set('k', 'v');
  client.disconnect();
  await server.restart();
  const again = quickClient(server.url);
  t.after(() => again.disconnect());
  assert.equal(await again.get('k'), null);
});

test('a 3-master cluster serves keys across slots through ioredis Cluster', async (t) => {
  const cluster = await startRedisCluster();
  t.after(() => cluster.stop());
  assert.equal(cluster.nodes.length, 3);

  const client = new Cluster(cluster.nodes, { clusterRetryStrategy: () => null });
  t.after(() => client.disconnect());
  const keys = Array.from({ length: 30 }, (_, i) => `key:${i}`);
  for (const key of keys) await client.set(key, `value of ${key}`);
  for (const key of keys) assert.equal(await client.get(key), `value of ${key}`);

  // The keys really are spread over the masters.
  const sizes = await Promise.all(cluster.nodes.map((n) => redisCommand(n.port, ['DBSIZE'])));
  assert.equal(
    sizes.reduce<number>((sum, n) => sum + Number(n), 0),
    keys.length,
  );
  assert.ok(
    sizes.every((n) => Number(n) > 0),
    `keys per node: ${sizes.join(', ')}`,
  );
});
