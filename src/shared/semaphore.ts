/**
 * The one bounded-concurrency primitive: a counting semaphore with at most `current` holders at
 * once, served strictly in arrival order (a newcomer never overtakes a waiter, so work started in
 * order starts in order). AdaptiveLimit is this semaphore with a limit that moves; the local
 * runner's job slots and history sync's downloads use it with a fixed one.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private limit: number;

  constructor(limit: number) {
    // Below 1 nothing could ever run: a limit of 0 would wait forever, not refuse.
    this.limit = Math.max(1, Math.floor(limit));
  }

  /** How many may hold a place at once now. */
  get current(): number {
    return this.limit;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit && this.waiting.length === 0) {
      this.active++;
      return;
    }
    await new Promise<void>((resolveWait) => this.waiting.push(resolveWait));
  }

  /** Gives a place back; waiters start, oldest first, as far as the limit allows. */
  release(): void {
    this.active--;
    this.admit();
  }

  private admit(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()?.();
    }
  }

  /** Runs `work` holding one place, and gives it back however `work` ends. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /**
   * For subclasses whose limit moves: holders above a lowered limit finish, nobody new starts
   * until the count is under it; a raised limit admits waiters at once.
   */
  protected setLimit(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    this.admit();
  }
}

/**
 * `work` over every item, at most `limit` at once (a number, or a shared Semaphore), started in
 * item order; results by index, whatever order they finish in. The first failure rejects the whole
 * (as Promise.all does) and items not started by then never start.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number | Semaphore,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const gate = typeof limit === 'number' ? new Semaphore(limit) : limit;
  let failed = false;
  return Promise.all(
    items.map((item, index) =>
      gate.run(async () => {
        if (failed) throw new Error('not started: an earlier item failed');
        try {
          return await work(item, index);
        } catch (error) {
          failed = true;
          throw error;
        }
      }),
    ),
  );
}
