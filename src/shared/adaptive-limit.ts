import { Semaphore } from './semaphore.js';

/**
 * A concurrency limit that backs off when the service pushes back: the FIFO Semaphore, with a limit
 * that moves. A holder that was throttled (429, 529 after the client's own retries) halves the
 * limit; a run of successes as long as the limit raises it by one again, up to `max` (additive
 * increase, multiplicative decrease, as TCP does). Work started in order stays in order: callers
 * keep results by index, never by completion.
 */
export class AdaptiveLimit extends Semaphore {
  private streak = 0;

  constructor(
    readonly max: number,
    private readonly onChange: (from: number, to: number) => void = () => undefined,
  ) {
    super(max);
  }

  override release(throttled = false): void {
    if (throttled) this.throttle();
    else this.succeed();
    super.release();
  }

  /**
   * Gives a place back without a verdict: for holders whose work reports to the limit itself as
   * it goes (throttle, succeed), as a batch item does once per model call.
   */
  leave(): void {
    super.release();
  }

  /** The service pushed back: halve the limit (never below 1). Holders already in keep their place. */
  throttle(): void {
    this.adjust(this.current / 2);
    this.streak = 0;
  }

  /** A success: a streak as long as the limit raises it by one, up to max. */
  succeed(): void {
    if (this.current < this.max && ++this.streak >= this.current) {
      this.adjust(this.current + 1);
      this.streak = 0;
    }
  }

  private adjust(to: number): void {
    const before = this.current;
    this.setLimit(to);
    if (this.current !== before) this.onChange(before, this.current);
  }

  /** Runs `work` holding one place; `throttled` says whether its result should slow the others. */
  override async run<T>(work: () => Promise<T>, throttled: (result: T) => boolean = () => false): Promise<T> {
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
