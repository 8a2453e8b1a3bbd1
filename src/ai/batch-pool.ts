// The worker pool of a prompt batch: bounded concurrency that adapts to the API's rate limits.
// A 429 or 529 halves how many items may run at once and pauses every new attempt of the pool
// until retry-after has passed (not just the one call that got it); each run of successes as long
// as the current limit adds one back, up to the configured maximum (additive increase,
// multiplicative decrease, as TCP does).
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

export class AdaptiveLimit implements CallPacer {
  private live: number;
  private successes = 0;
  private pausedUntil = 0;
  /** Halvings, for the batch's log line. */
  backoffs = 0;

  constructor(
    readonly max: number,
    private readonly clock: PoolClock = realClock,
  ) {
    this.live = max;
  }

  /** How many items may be in flight now. */
  get current(): number {
    return this.live;
  }

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
      this.live = Math.max(1, Math.floor(this.live / 2));
      this.backoffs += 1;
    }
    this.successes = 0;
    this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? DEFAULT_PAUSE_MS));
  }

  onSuccess(): void {
    if (this.live >= this.max) return;
    this.successes += 1;
    if (this.successes >= this.live) {
      this.live += 1;
      this.successes = 0;
    }
  }
}

/**
 * Runs `work` over `items`, never more at once than the limit allows at the moment an item
 * starts. `work` must not throw (each item records its own failure); the pool stops taking new
 * items once `stop()` says so.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: Pick<AdaptiveLimit, 'current'>,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const finished = (): void => {
    inFlight -= 1;
    wake?.();
  };
  while (next < items.length || inFlight > 0) {
    while (next < items.length && inFlight < limit.current && !stop()) {
      const item = items[next++] as T;
      inFlight += 1;
      void work(item).finally(finished);
    }
    if (inFlight === 0) break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
