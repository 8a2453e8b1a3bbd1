// The worker pool of a prompt batch: bounded concurrency that adapts to the API's rate limits.
// The limit itself is the shared AIMD one (shared/adaptive-limit.ts, also promote-prompt's): a
// 429 or 529 halves how many items may run at once, each run of successes as long as the limit
// adds one back. On top of it this layer paces: a rate limit pauses every new attempt of the pool
// until retry-after has passed (not just the one call that got it), and the replies to requests
// sent before that pause count as one push-back, not one each.
import type { AdaptiveLimit } from '../shared/adaptive-limit.js';
import type { CallPacer } from './types.js';

export interface PoolClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const realClock: PoolClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** When the API says to slow down without saying for how long. */
const DEFAULT_PAUSE_MS = 1000;

/** What every model call of a batch reports to (client.ts calls it around each attempt). */
export class RateLimitPacer implements CallPacer {
  private pausedUntil = 0;
  /** Halvings, for the batch's log line. */
  backoffs = 0;

  constructor(
    private readonly limit: Pick<AdaptiveLimit, 'throttle' | 'succeed'>,
    private readonly clock: PoolClock = realClock,
  ) {}

  async beforeAttempt(): Promise<void> {
    for (let wait = this.pausedUntil - this.clock.now(); wait > 0; wait = this.pausedUntil - this.clock.now())
      await this.clock.sleep(wait);
  }

  /**
   * A 429/529. Replies to requests sent before the pool paused say nothing new: only the first
   * of a burst halves the limit; each may still push the pause further out.
   */
  onRateLimited(retryAfterMs: number | undefined): void {
    const now = this.clock.now();
    if (now >= this.pausedUntil) {
      this.limit.throttle();
      this.backoffs += 1;
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? DEFAULT_PAUSE_MS));
  }

  onSuccess(): void {
    this.limit.succeed();
  }
}

/**
 * Runs `work` over `items` in order, each holding a place of the limit while it runs (so never
 * more at once than the limit allows when an item starts). `work` must not throw (each item
 * records its own failure); the pool stops taking new items once `stop()` says so. Items report
 * their calls to the limit through the pacer, so a finished item gives its place back without a
 * verdict.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: Pick<AdaptiveLimit, 'acquire' | 'leave'>,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  const running = new Set<Promise<void>>();
  for (const item of items) {
    await limit.acquire();
    if (stop()) {
      limit.leave();
      break;
    }
    const task: Promise<void> = work(item).finally(() => {
      running.delete(task);
      limit.leave();
    });
    running.add(task);
  }
  await Promise.all(running);
}
