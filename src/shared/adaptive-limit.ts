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
    const before = this.current;
    if (throttled) {
      this.setLimit(before / 2);
      this.streak = 0;
    } else if (before < this.max && ++this.streak >= before) {
      this.setLimit(before + 1);
      this.streak = 0;
    }
    if (this.current !== before) this.onChange(before, this.current);
    super.release();
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
