/**
 * Readable output for jobs that run at the same time: each job writes to its own lane; the
 * oldest open lane streams live, the others are held and printed whole, in start order, as
 * soon as every lane before them has finished. A job's lines are never interleaved with
 * another's, and the first job is still watched live.
 */
import type { TextSink } from './reporter.js';

export class Lane implements TextSink {
  private held: string[] = [];
  private live = false;
  closed = false;

  constructor(private readonly lanes: Lanes) {}

  write(text: string): boolean {
    if (this.live) this.lanes.sink.write(text);
    else this.held.push(text);
    return true;
  }

  /** The lane becomes the live one: what it held is printed now. */
  goLive(): void {
    this.live = true;
    for (const text of this.held.splice(0)) this.lanes.sink.write(text);
  }

  close(): void {
    this.closed = true;
    this.lanes.closed(this);
  }
}

export class Lanes {
  private readonly open: Lane[] = [];

  constructor(readonly sink: TextSink) {}

  lane(): Lane {
    const lane = new Lane(this);
    this.open.push(lane);
    if (this.open.length === 1) lane.goLive();
    return lane;
  }

  closed(lane: Lane): void {
    if (this.open[0] !== lane) return;
    this.open.shift();
    while (this.open[0]) {
      const next = this.open[0];
      next.goLive();
      if (!next.closed) break;
      this.open.shift();
    }
  }
}
