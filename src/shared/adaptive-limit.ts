/**
 * A concurrency limit that backs off when the service pushes back: at most `current` holders at
 * once, served in arrival order. A holder that was throttled (429, 529 after the client's own
 * retries) halves the limit; a run of successes as long as the limit raises it by one again, up
 * to `max` (additive increase, multiplicative decrease, as TCP does). Work started in order stays
 * in order: callers keep results by index, never by completion.
 */
export class AdaptiveLimit {
  private active = 0;
  private limit: number;
  private streak = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly max: number,
    private readonly onChange: (from: number, to: number) => void = () => undefined,
  ) {
    this.limit = Math.max(1, Math.floor(max));
  }

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

  release(throttled = false): void {
    this.active--;
    if (throttled) this.throttle();
    else this.succeed();
    this.admit();
  }

  /**
   * Gives a place back without a verdict: for holders whose work reports to the limit itself as
   * it goes (throttle, succeed), as a batch item does once per model call.
   */
  leave(): void {
    this.active--;
    this.admit();
  }

  /** The service pushed back: halve the limit (never below 1). Holders already in keep their place. */
  throttle(): void {
    this.adjust(Math.max(1, Math.floor(this.limit / 2)));
    this.streak = 0;
  }

  /** A success: a streak as long as the limit raises it by one, up to max. */
  succeed(): void {
    if (this.limit < this.max && ++this.streak >= this.limit) {
      this.adjust(this.limit + 1);
      this.streak = 0;
      this.admit();
    }
  }

  private adjust(to: number): void {
    const before = this.limit;
    this.limit = to;
    if (to !== before) this.onChange(before, to);
  }

  private admit(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()?.();
    }
  }

  /** Runs `work` holding one place; `throttled` says whether its result should slow the others. */
  async run<T>(work: () => Promise<T>, throttled: (result: T) => boolean = () => false): Promise<T> {
    await this.acquire();
    let slow = false;
    try {
      const result = await work();
      slow = throttled(result);
      return result;
    } finally {
      this.release(slow);
    }
  }
}
