import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, startRedis, type RedisServer } from '../fakes/redis.js';
import { actionOutputNames, Job, visibleLog } from '../harness/job.js';

const PASSWORD = 'batch-acl-pw-4c1d';

describe('autostack emit --batch (CLI bundle)', () => {
  let redis: RedisServer;
  let client: Redis;
  before(async () => {
    redis = await startRedis({ aof: true, password: 'default-pw', aclUser: { name: 'batcher', password: PASSWORD } });
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  test('Redis killed and restarted mid-batch (AOF on): every event present exactly once', async (t) => {
    const total = 60_000;
    const job = new Job();
    const file = join(job.workspace, 'events.jsonl');
    writeFileSync(
      file,
      Array.from({ length: total }, (_, i) =>
        JSON.stringify({ type: 'com.example.tick', data: { i }, 'idempotency-key': `tick-${i}` }),
      ).join('\n'),
    );
    const running = job.startCli([
      'emit',
      '--batch',
      file,
      '--redis-url',
      redis.url,
      '--stream',
      'batch:events',
      '--timeout-seconds',
      '5',
    ]);

    // Kill the server once part of the batch is in, while the CLI is still sending.
    let atKill = 0;
    for (;;) {
      atKill = await client.xlen('batch:events');
      if (atKill >= 2000 || running.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(running.child.exitCode, null, 'the batch was still running when Redis was killed');
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.restart();

    const result = await running.done;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(atKill < total, `killed after ${atKill} of ${total}`);
    const summary = JSON.parse(result.stdout.trim()) as {
      events: number;
      published: number;
      duplicates: number;
      retriedRounds: number;
      seconds: number;
    };
    t.diagnostic(`killed at ${atKill} entries; batch summary ${JSON.stringify(summary)}`);
    assert.equal(summary.events, total);

    const entries = await client.xrange('batch:events', '-', '+');
    const keys = entries.map(([, fields]) => fields[7]);
    assert.equal(entries.length, total, `stream has ${entries.length} entries for ${total} events`);
    assert.equal(new Set(keys).size, total, 'each idempotency key exactly once');
    assert.ok(!visibleLog(result).includes(PASSWORD), 'password not printed');

    // The same batch again adds nothing.
    const again = await job.cli(['emit', '--batch', file, '--redis-url', redis.url, '--stream', 'batch:events']);
    assert.equal(again.exitCode, 0, again.stderr);
    t.diagnostic(`second run (all duplicates): ${again.stdout.trim()}`);
    assert.deepEqual(
      (({ published, duplicates }) => ({ published, duplicates }))(
        JSON.parse(again.stdout.trim()) as { published: number; duplicates: number },
      ),
      { published: 0, duplicates: total },
    );
    assert.equal(await client.xlen('batch:events'), total);
  });

  test('the CLI killed (SIGKILL) mid-batch and run again: every event present exactly once', async (t) => {
    const total = 40_000;
    const job = new Job();
    const file = join(job.workspace, 'killed.jsonl');
    writeFileSync(
      file,
      Array.from({ length: total }, (_, i) =>
        JSON.stringify({ type: 'com.example.tock', data: { i }, 'idempotency-key': `tock-${i}` }),
      ).join('\n'),
    );
    const args = ['emit', '--batch', file, '--redis-url', redis.url, '--stream', 'batch:killed'];
    const running = job.startCli(args);
    let atKill = 0;
    for (;;) {
      atKill = await client.xlen('batch:killed');
      if (atKill >= 2000 || running.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(running.child.exitCode, null, 'the batch was still running when the CLI was killed');
    running.child.kill('SIGKILL');
    await running.done;
    const left = await client.xlen('batch:killed');
    assert.ok(left < total, `killed after ${left} of ${total}`);

    // The re-run sends the whole file again: what the killed run added comes back as duplicates.
    const again = await job.cli(args);
    assert.equal(again.exitCode, 0, again.stderr);
    const summary = JSON.parse(again.stdout.trim()) as { events: number; published: number; duplicates: number };
    t.diagnostic(`killed with ${left} entries in the stream; re-run ${again.stdout.trim()}`);
    assert.equal(summary.events, total);
    assert.equal(summary.published + summary.duplicates, total);
    // At least: Redis may still run what the killed client had already sent after `left` was read.
    assert.ok(summary.duplicates >= left, `${summary.duplicates} duplicates, ${left} entries before the re-run`);
    const keys = (await client.xrange('batch:killed', '-', '+')).map(([, fields]) => fields[7]);
    assert.equal(keys.length, total, `stream has ${keys.length} entries for ${total} events`);
    assert.equal(new Set(keys).size, total, 'each idempotency key exactly once');
  });

  test('single emit from the CLI; bad batch lines name the file and line', async () => {
    const job = new Job();
    const one = await job.cli([
      'emit',
      '--type',
      'com.example.cli',
      '--data',
      'a: 1',
      '--redis-url',
      redis.url,
      '--stream',
      'cli:events',
    ]);
    assert.equal(one.exitCode, 0, one.stderr);
    const outputs = JSON.parse(one.stdout) as Record<string, unknown>;
    // child-* are set only when emit-event waits for the run it started, which the CLI does not do.
    const emitted = actionOutputNames('emit-event').filter((name) => !name.startsWith('child-'));
    assert.deepEqual(
      Object.keys(outputs).sort(),
      emitted,
      'the CLI prints every output of the action, named as the action names it',
    );
    assert.equal(outputs.duplicate, 'false');
    const two = await job.cli([
      'emit',
      '--type',
      'com.example.cli',
      '--data',
      'a: 1',
      '--redis-url',
      redis.url,
      '--stream',
      'cli:events',
    ]);
    assert.equal(
      (JSON.parse(two.stdout) as Record<string, unknown>).duplicate,
      'true',
      'the outputs as the action sets them',
    );
    assert.equal(await client.xlen('cli:events'), 1);

    const bad = join(job.workspace, 'bad.jsonl');
    writeFileSync(bad, '{"type":"ok"}\n{"data": 1}\n');
    const failed = await job.cli(['emit', '--batch', bad, '--redis-url', redis.url]);
    assert.equal(failed.exitCode, 1);
    assert.match(failed.stderr, /^error: .*bad\.jsonl:2: type/m);
    assert.doesNotMatch(failed.stderr, /\n\s+at /);
  });
  test('emit --drain-outbox delivers what undeliverable emits left behind, with their ids, once', async () => {
    const job = new Job();
    const deadUrl = `redis://127.0.0.1:${await freePort()}`;
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const failed = await job.cli([
        'emit',
        '--type',
        'com.example.later',
        '--data',
        `n: ${n}`,
        '--redis-url',
        deadUrl,
        '--stream',
        'drain:events',
        '--attempts',
        '1',
        '--timeout-seconds',
        '5',
      ]);
      assert.equal(failed.exitCode, 1);
      assert.match(failed.stderr, /kept in the outbox/);
    }
    for (const line of readFileSync(join(job.workspace, '.autostack', 'outbox.jsonl'), 'utf8')
      .trim()
      .split('\n')) {
      ids.push((JSON.parse(line) as { event: { id: string } }).event.id);
    }
    assert.equal(ids.length, 2);
    const drained = await job.cli(['emit', '--drain-outbox', '--redis-url', redis.url, '--stream', 'drain:events']);
    assert.equal(drained.exitCode, 0, drained.stderr);
    assert.deepEqual(JSON.parse(drained.stdout.trim()), { entries: 2, delivered: 2, duplicates: 0, failed: 0 });
    const entries = await client.xrange('drain:events', '-', '+');
    assert.deepEqual(entries.map(([, fields]) => fields[5]).sort(), [...ids].sort());
    const again = await job.cli(['emit', '--drain-outbox', '--redis-url', redis.url, '--stream', 'drain:events']);
    assert.deepEqual(JSON.parse(again.stdout.trim()), { entries: 0, delivered: 0, duplicates: 0, failed: 0 });
  });
});
