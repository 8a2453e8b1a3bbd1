import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveLimit } from '../../src/shared/adaptive-limit.js';
import { mapBounded, Semaphore } from '../../src/shared/semaphore.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('at most the limit at once, started in item order, results by index whatever the finish order', async () => {
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const results = await mapBounded([30, 5, 20, 1, 10, 2], 3, async (delay, index) => {
    started.push(index);
    most = Math.max(most, ++inFlight);
    await sleep(delay);
    inFlight--;
    return `item ${index}`;
  });
  assert.equal(most, 3);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(results, ['item 0', 'item 1', 'item 2', 'item 3', 'item 4', 'item 5']);
  assert.deepEqual(await mapBounded([], 2, async () => 1), []);
});

test('the first failure rejects the whole, and items not started by then never start', async () => {
  const started: number[] = [];
  await assert.rejects(
    mapBounded([1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick();
      if (item === 2) throw new Error('item 2 broke');
      await sleep(5);
      return item;
    }),
    /item 2 broke/,
  );
  await sleep(30);
  assert.deepEqual(started, [1, 2], 'nothing started after item 2 failed');
});

test('a newcomer never overtakes a waiter; a limit below 1 is 1, not a deadlock', async () => {
  const slots = new Semaphore(0);
  assert.equal(slots.current, 1);
  await slots.acquire();
  const order: string[] = [];
  const first = slots.acquire().then(() => order.push('first'));
  const second = slots.acquire().then(() => order.push('second'));
  await tick();
  assert.deepEqual(order, [], 'both wait while the one place is held');
  slots.release();
  await first;
  assert.deepEqual(order, ['first']);
  slots.release();
  await second;
  assert.deepEqual(order, ['first', 'second']);
  slots.release();
});

test('calls sharing one Semaphore share its places; a throw inside run gives its place back', async () => {
  const shared = new Semaphore(2);
  let inFlight = 0;
  let most = 0;
  const work = async () => {
    most = Math.max(most, ++inFlight);
    await sleep(5);
    inFlight--;
  };
  await Promise.all([mapBounded([1, 2, 3], shared, work), mapBounded([4, 5, 6], shared, work)]);
  assert.equal(most, 2);
  await assert.rejects(
    shared.run(async () => Promise.reject(new Error('no'))),
    /no/,
  );
  await Promise.all([shared.run(work), shared.run(work)]);
  assert.equal(most, 2, 'both places were free again after the throw');
});

test('AdaptiveLimit is the same semaphore: mapBounded runs over it, and a lowered limit lets holders finish', async () => {
  const limit = new AdaptiveLimit(2);
  assert.ok(limit instanceof Semaphore);
  const events: string[] = [];
  await limit.acquire();
  await limit.acquire();
  const waiter = limit.acquire().then(() => events.push('third in'));
  limit.release(true);
  assert.equal(limit.current, 1);
  await tick();
  assert.deepEqual(events, [], 'one holder is still in, at a limit of 1');
  limit.release();
  await waiter;
  assert.deepEqual(events, ['third in']);
  limit.release();
  assert.deepEqual(await mapBounded(['a', 'b'], limit, async (item) => item.toUpperCase()), ['A', 'B']);
});
