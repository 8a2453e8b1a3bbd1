import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEvent, parseStreamEntry, streamEntryFields } from '../../src/events/envelope.js';
import { ledgerKey } from '../../src/events/redis-names.js';
import { openRedis } from '../../src/events/redis.js';
import { publishEventStream } from '../../src/events/redis-batch.js';
import { startRedis } from '../fakes/redis.js';
import { forSuite } from '../harness/fixtures.js';

const base = { type: 'com.example.done', source: 'https://github.com/octo/app', workflowRunId: '77', step: 'job/emit' };

/** Events whose fields stress the packed encoding: multi-byte text, colons, digits, one over an arena. */
function events(count: number) {
  return Array.from({ length: count }, (_, i) =>
    createEvent({
      ...base,
      type: i % 2 ? 'com.example.é:1' : base.type,
      subject: `12:${i}:ü`,
      data: i === 7 ? { big: 'z'.repeat(400 * 1024) } : { i, text: `naïve 🚀 ${':'.repeat(i % 5)} ${i}` },
      idempotencyKey: `packed-${i}`,
    }),
  );
}

describe('publishEventStream (batch script, packed fields)', () => {
  const server = forSuite(
    () => startRedis(),
    (service) => service.stop(),
  );

  test('every entry has exactly the fields and envelope of its event, through reused arenas; a re-send adds nothing', async () => {
    const handle = await openRedis(server().url, { timeoutMs: 5000 });
    try {
      const batch = events(730);
      // Small pipelines and one in flight: arenas are handed back and written again many times.
      const chunks = [batch.slice(0, 300), batch.slice(300)];
      const options = { stream: 'unit:packed', timeoutMs: 10_000, chunkSize: 100, window: 1 };
      const first = await publishEventStream(handle, chunks, options);
      assert.deepEqual(first, { events: 730, published: 730, duplicates: 0, retriedRounds: 0 });
      const entries = (await handle.client.xrange('unit:packed', '-', '+')) as Array<[string, string[]]>;
      assert.equal(entries.length, 730);
      entries.forEach(([, fields], at) => {
        const sent = batch[at];
        assert.ok(sent);
        assert.deepEqual(fields, streamEntryFields(sent));
        assert.deepEqual(parseStreamEntry(fields), sent);
      });
      const [firstId] = entries[0] ?? [];
      assert.equal(await handle.client.get(ledgerKey('unit:packed', 'packed-0')), firstId);
      const again = await publishEventStream(handle, [batch], { stream: 'unit:packed', timeoutMs: 10_000 });
      assert.deepEqual(again, { events: 730, published: 0, duplicates: 730, retriedRounds: 0 });
      assert.equal(await handle.client.xlen('unit:packed'), 730);
    } finally {
      await handle.close();
    }
  });

  test('two lines with one key in the same group add one entry', async () => {
    const handle = await openRedis(server().url, { timeoutMs: 5000 });
    try {
      const [one] = events(1);
      assert.ok(one);
      const progress = await publishEventStream(handle, [[one, { ...one, id: 'other' }]], {
        stream: 'unit:same-key',
        timeoutMs: 5000,
      });
      assert.deepEqual(progress, { events: 2, published: 1, duplicates: 1, retriedRounds: 0 });
      assert.equal(await handle.client.xlen('unit:same-key'), 1);
    } finally {
      await handle.close();
    }
  });
});
