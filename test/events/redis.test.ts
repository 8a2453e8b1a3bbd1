import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createEvent, parseStreamEntry } from '../../src/events/envelope.js';
import { ledgerKey, validateStreamName } from '../../src/events/redis-names.js';
import { openRedis, publishToStream, RedisTargetError } from '../../src/events/redis.js';
import { publishEventStream } from '../../src/events/redis-batch.js';
import { parseRedisUrl } from '../../src/events/redis-url.js';
import { InputError } from '../../src/shared/errors.js';
import { redact } from '../../src/shared/redact.js';
import { freePort, type RedisServer, startRedis, startRedisCluster } from '../fakes/redis.js';
import { forSuite } from '../harness/fixtures.js';

const base = { type: 'com.example.done', source: 'https://github.com/octo/app', workflowRunId: '77', step: 'job/emit' };
const event = (data: unknown, key?: string) => createEvent({ ...base, data, idempotencyKey: key });

describe('redis target', () => {
  const server = forSuite(
    () => startRedis(),
    (service) => service.stop(),
  );

  test('publishes the documented entry layout once; the same key again is a duplicate with the first id', async () => {
    const handle = await openRedis(server().url, { timeoutMs: 5000 });
    try {
      const first = event({ n: 1 });
      const a = await publishToStream(handle, first, { stream: 'unit:a', timeoutMs: 5000 });
      const b = await publishToStream(handle, { ...first, time: 'later' }, { stream: 'unit:a', timeoutMs: 5000 });
      assert.equal(a.duplicate, false);
      assert.deepEqual(b, { entryId: a.entryId, duplicate: true });
      const redis = new Redis(server().url);
      const entries = await redis.xrange('unit:a', '-', '+');
      assert.equal(entries.length, 1);
      const [id, fields] = entries[0] as [string, string[]];
      assert.equal(id, a.entryId);
      assert.deepEqual(
        [fields[0], fields[2], fields[3], fields[4], fields[5], fields[6]],
        ['event', 'type', first.type, 'id', first.id, 'idempotencykey'],
      );
      assert.deepEqual(parseStreamEntry(fields), first);
      assert.equal(await redis.get(ledgerKey('unit:a', first.idempotencykey)), a.entryId);
      assert.ok((await redis.ttl(ledgerKey('unit:a', first.idempotencykey))) > 3600);
      await redis.quit();
    } finally {
      await handle.close();
    }
  });

  test('max-len trims approximately', async () => {
    const handle = await openRedis(server().url, { timeoutMs: 5000 });
    try {
      const events = Array.from({ length: 1000 }, (_, i) => event({ i }, `trim-${i}`));
      const progress = await publishEventStream(handle, [events], {
        stream: 'unit:trim',
        maxLen: 100,
        timeoutMs: 10_000,
      });
      assert.equal(progress.published, 1000);
      const length = await handle.client.xlen('unit:trim');
      assert.ok(length >= 100 && length < 300, `length ${length} should be about 100`);
    } finally {
      await handle.close();
    }
  });

  test('stream names and ledger keys share a hash slot', () => {
    assert.equal(ledgerKey('autostack:events', 'k'), '{autostack:events}:idem:k');
    assert.equal(ledgerKey('{app}:events', 'k'), '{app}:idem:{app}:events:k');
    assert.throws(() => validateStreamName('a}b'), InputError);
    assert.throws(() => validateStreamName('has space'), InputError);
  });

  test('bad URLs get a clear error that does not repeat the password', () => {
    assert.throws(() => parseRedisUrl('http://x:6379'), /'redis-url' must use redis:\/\/ or rediss:\/\//);
    assert.throws(
      () => parseRedisUrl('redis://user:s3cretpw@exa mple:6379'),
      (error: unknown) =>
        error instanceof InputError && !error.message.includes('s3cretpw') && /is not a URL/.test(error.message),
    );
    assert.throws(() => parseRedisUrl('redis://host:6379/abc'), /database number/);
    const parsed = parseRedisUrl('rediss://app:p%40ss-word@cache.example:6380/2');
    assert.deepEqual(
      [parsed.username, parsed.password, parsed.db, parsed.tls, parsed.port],
      ['app', 'p@ss-word', 2, true, 6380],
    );
    assert.equal(redact('x p@ss-word y'), 'x *** y');
  });

  test('a dead Redis fails in bounded time with a transient error', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      () => openRedis(`redis://127.0.0.1:${port}`, { timeoutMs: 3000 }),
      (error: unknown) =>
        error instanceof RedisTargetError && error.transient && /unreachable.*ECONNREFUSED/.test(error.message),
    );
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  });
});

describe('redis target with ACL auth', () => {
  let server: RedisServer;
  const password = 'acl-pass-7f3e9c';
  before(async () => {
    server = await startRedis({ password: 'default-user-pass', aclUser: { name: 'emitter', password } });
  });
  after(async () => {
    await server.stop();
  });

  test('publishes as the ACL user', async () => {
    const handle = await openRedis(server.url, { timeoutMs: 5000 });
    try {
      const result = await publishToStream(handle, event({ acl: true }), { stream: 'acl:events', timeoutMs: 5000 });
      assert.equal(result.duplicate, false);
    } finally {
      await handle.close();
    }
  });

  test('a wrong password is named, not echoed; no credentials is NOAUTH', async () => {
    const wrong = `redis://emitter:not-the-pass-123@127.0.0.1:${server.port}`;
    await assert.rejects(
      () => openRedis(wrong, { timeoutMs: 3000 }),
      (error: unknown) =>
        error instanceof RedisTargetError &&
        /refused the credentials of user 'emitter'/.test(error.message) &&
        !error.message.includes('not-the-pass-123'),
    );
    await assert.rejects(
      () => openRedis(`redis://127.0.0.1:${server.port}`, { timeoutMs: 3000 }),
      /requires authentication|refused the credentials/,
    );
  });
});

describe('redis target with a least-privilege ACL user', () => {
  const server = forSuite(
    () =>
      startRedis({
        password: 'default-user-pass',
        aclUser: {
          name: 'narrow',
          password: 'narrow-pass-1234',
          commands: '-@all +@stream +@scripting +get +set +info',
        },
        extraConfig: ['user noscript on >noscript-pass-99 ~* &* -@all +@stream +get +set +info'],
      }),
    (service) => service.stop(),
  );

  test('the documented permissions are enough; missing ones are named', async () => {
    const handle = await openRedis(server().url, { timeoutMs: 5000 });
    try {
      const result = await publishToStream(handle, event({ narrow: true }), {
        stream: 'narrow:events',
        timeoutMs: 5000,
      });
      assert.equal(result.duplicate, false);
      assert.equal(
        (await publishToStream(handle, event({ narrow: true }), { stream: 'narrow:events', timeoutMs: 5000 }))
          .duplicate,
        true,
      );
    } finally {
      await handle.close();
    }
    const noScript = await openRedis(`redis://noscript:noscript-pass-99@127.0.0.1:${server().port}`, {
      timeoutMs: 5000,
    });
    try {
      await assert.rejects(
        () => publishToStream(noScript, event({ narrow: false }), { stream: 'narrow:events', timeoutMs: 5000 }),
        (error: unknown) =>
          error instanceof RedisTargetError &&
          !error.transient &&
          /ACL user lacks a permission.*NOPERM.*\+@scripting/.test(error.message),
      );
    } finally {
      await noScript.close();
    }
  });
});

describe('redis cluster', () => {
  const cluster = forSuite(
    () => startRedisCluster(),
    (service) => service.stop(),
  );

  test('detects the cluster and publishes idempotently to streams in any slot', async () => {
    const node = cluster().nodes[0];
    assert.ok(node);
    const handle = await openRedis(`redis://${node.host}:${node.port}`, { timeoutMs: 8000 });
    try {
      assert.equal(handle.cluster, true);
      for (const stream of ['autostack:events', 'other:stream', '{tenant}:events', 'x']) {
        const e = event({ stream }, `cluster-${stream}`);
        const first = await publishToStream(handle, e, { stream, timeoutMs: 5000 });
        const again = await publishToStream(handle, e, { stream, timeoutMs: 5000 });
        assert.equal(first.duplicate, false);
        assert.deepEqual(again, { entryId: first.entryId, duplicate: true });
        assert.equal(await handle.client.xlen(stream), 1);
      }
      const batch = Array.from({ length: 50 }, (_, i) => event({ i }, `cb-${i}`));
      const progress = await publishEventStream(handle, [batch], { stream: 'autostack:events', timeoutMs: 10_000 });
      assert.equal(progress.published, 50);
      assert.equal(await handle.client.xlen('autostack:events'), 51);
    } finally {
      await handle.close();
    }
  });
});
