import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveLimit } from '../../src/shared/adaptive-limit.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('at most max holders, served in arrival order; results by index whatever the finish order', async () => {
  const limit = new AdaptiveLimit(2);
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  const results = await Promise.all(
    [30, 5, 20, 1, 10].map((delay, index) =>
      limit.run(async () => {
        started.push(index);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, delay));
        inFlight--;
        return index;
      }),
    ),
  );
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(results, [0, 1, 2, 3, 4]);
});

test('a throttled holder halves the limit (never below 1); a streak of successes raises it one at a time', async () => {
  const changes: string[] = [];
  const limit = new AdaptiveLimit(4, (from, to) => changes.push(`${from}→${to}`));
  await limit.run(
    async () => 'busy',
    () => true,
  );
  assert.equal(limit.current, 2);
  await limit.run(
    async () => 'busy',
    () => true,
  );
  await limit.run(
    async () => 'busy',
    () => true,
  );
  assert.equal(limit.current, 1);
  await limit.run(async () => 'ok');
  assert.equal(limit.current, 2, 'one success is a streak as long as a limit of 1');
  await limit.run(async () => 'ok');
  await limit.run(async () => 'ok');
  assert.equal(limit.current, 3);
  assert.deepEqual(changes, ['4→2', '2→1', '1→2', '2→3']);

  // Waiters queued behind a full pool start once the limit allows.
  const slow = new AdaptiveLimit(1);
  let second = false;
  const first = slow.acquire();
  await first;
  const next = slow.acquire().then(() => (second = true));
  await tick();
  assert.equal(second, false, 'the second waits');
  slow.release();
  await next;
  assert.equal(second, true);
  slow.release();
});

test('holders that report as they go: throttle and succeed move the limit, leave gives a place back without a verdict', async () => {
  const changes: string[] = [];
  const limit = new AdaptiveLimit(4, (from, to) => changes.push(`${from}→${to}`));
  for (let holder = 0; holder < 4; holder++) await limit.acquire();
  let fifthIn = false;
  void limit.acquire().then(() => (fifthIn = true));
  limit.throttle();
  limit.leave();
  limit.leave();
  await tick();
  assert.equal(fifthIn, false, 'two holders still in, limit 2: the fifth waits');
  limit.succeed();
  limit.succeed();
  await tick();
  assert.deepEqual(changes, ['4→2', '2→3']);
  assert.equal(fifthIn, true, 'a raised limit lets a waiter in at once');
  limit.leave();
  limit.leave();
  limit.leave();
  assert.equal(limit.current, 3, 'leaving changes no limit');
});
