import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type PoolClock, RateLimitPacer, runPool } from '../../src/ai/batch-pool.js';
import { AdaptiveLimit } from '../../src/shared/adaptive-limit.js';
import { errorReply, textReply } from '../fakes/anthropic-api.js';
import { request, rig } from './helpers.js';

/** A clock that only moves when something sleeps. */
function fakeClock(): PoolClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('adaptive concurrency', () => {
  test('a 429 halves the limit once per burst and pauses every attempt for retry-after', async () => {
    const clock = fakeClock();
    const limit = new AdaptiveLimit(20);
    const pacer = new RateLimitPacer(limit, clock);
    pacer.onRateLimited(500);
    // The rest of the burst: replies to requests sent before the pause.
    pacer.onRateLimited(500);
    pacer.onRateLimited(undefined);
    assert.equal(limit.current, 10);
    assert.equal(pacer.backoffs, 1);
    await pacer.beforeAttempt();
    assert.deepEqual(clock.slept, [1000]);
    // After the pause, a new 429 halves again.
    pacer.onRateLimited(200);
    assert.equal(limit.current, 5);
    await pacer.beforeAttempt();
    assert.deepEqual(clock.slept, [1000, 200]);
  });

  test('never below one; grows back by one per window of successes, up to the maximum', () => {
    const limit = new AdaptiveLimit(4);
    const pacer = new RateLimitPacer(limit, fakeClock());
    for (let burst = 0; burst < 5; burst++) {
      pacer.onRateLimited(0);
    }
    assert.equal(limit.current, 1);
    pacer.onSuccess();
    assert.equal(limit.current, 2);
    pacer.onSuccess();
    assert.equal(limit.current, 2);
    pacer.onSuccess();
    assert.equal(limit.current, 3);
    for (let index = 0; index < 20; index++) pacer.onSuccess();
    assert.equal(limit.current, 4);
  });

  test('no pause without a rate limit', async () => {
    const clock = fakeClock();
    await new RateLimitPacer(new AdaptiveLimit(3), clock).beforeAttempt();
    assert.deepEqual(clock.slept, []);
  });
});

describe('worker pool', () => {
  test('runs every item, never more at once than the live limit', async () => {
    const limit = new AdaptiveLimit(3);
    let inFlight = 0;
    let peak = 0;
    let dropped = false;
    let peakAfterDrop = 0;
    const done: number[] = [];
    await runPool(
      Array.from({ length: 20 }, (_, index) => index),
      limit,
      async (item) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        if (dropped) peakAfterDrop = Math.max(peakAfterDrop, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1 + (item % 3)));
        // The limit drops mid-run: new items start only below it.
        if (item === 5) {
          limit.throttle();
          limit.throttle();
          dropped = true;
        }
        inFlight -= 1;
        done.push(item);
      },
    );
    assert.equal(done.length, 20);
    assert.equal(peak, 3);
    assert.equal(peakAfterDrop, 1, 'items started after the drop ran one at a time');
    assert.deepEqual(
      [...done].sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, index) => index),
    );
  });

  test('stops taking items once told to, and waits for those in flight', async () => {
    const started: number[] = [];
    let finished = 0;
    await runPool(
      [1, 2, 3, 4, 5, 6],
      new AdaptiveLimit(2),
      async (item) => {
        started.push(item);
        await new Promise((resolve) => setTimeout(resolve, 2));
        finished += 1;
      },
      () => finished >= 1,
    );
    assert.deepEqual(started, [1, 2]);
    assert.equal(finished, 2);
  });
});

describe('a call reports to the pool', () => {
  test('a 429 or 529 reaches the pacer with retry-after, every attempt waits for it, a success is counted', async (t) => {
    const events: string[] = [];
    const pacer = {
      beforeAttempt: async () => void events.push('wait'),
      onRateLimited: (retryAfterMs: number | undefined) => void events.push(`limited ${retryAfterMs ?? 'none'}`),
      onSuccess: () => void events.push('ok'),
    };
    const { api, call } = await rig(t, { pacer });
    api.enqueue(
      errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '250' }),
      errorReply(529, 'overloaded_error', 'Overloaded'),
      errorReply(400, 'invalid_request_error', 'bad'),
    );
    await assert.rejects(call(request()));
    assert.deepEqual(events, ['wait', 'limited 250', 'wait', 'limited none', 'wait']);
    api.enqueue(textReply('fine'));
    events.length = 0;
    assert.equal((await call(request())).text, 'fine');
    assert.deepEqual(events, ['wait', 'ok']);
  });
});
