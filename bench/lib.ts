/** One measured number and the baseline it is read against (same run, same machine, same unit). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Optional detail: sample count, spread. */
  note?: string;
  baseline: { name: string; value: number; unit: string };
  /**
   * What the issue asks of this figure: compare the ratio (value / baseline) or the value itself
   * against a bound. Absent: the figure is reported for information.
   */
  target?: Target;
  /** Not measured in this run (a hook for another issue's figure): printed as a pending row. */
  pending?: string;
}

export interface Target {
  of: 'ratio' | 'value';
  op: '<=' | '>=';
  bound: number;
}

export interface BenchContext {
  /** `npm run bench -- --smoke`: few repetitions and small inputs, only to prove every case still runs. */
  smoke: boolean;
}

export interface BenchCase {
  /** Unique, e.g. `run-prompt/cold-start`; `npm run bench -- run-prompt` runs every case containing it. */
  name: string;
  run(context: BenchContext): Promise<Figure[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Wall time of `fn` in milliseconds. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Median wall time over `runs` runs, after `warmup` unmeasured ones (file cache, JIT of the runner). */
export async function medianMs(runs: number, fn: () => Promise<unknown>, warmup = 1): Promise<number> {
  for (let index = 0; index < warmup; index++) await fn();
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) samples.push(await time(fn));
  return median(samples);
}

/** Whether a figure meets its target: 'yes', 'NO', or '' when it has none. */
export function met(figure: Figure): string {
  if (!figure.target || figure.pending) return '';
  const measured = figure.target.of === 'ratio' ? figure.value / figure.baseline.value : figure.value;
  const ok = figure.target.op === '<=' ? measured <= figure.target.bound : measured >= figure.target.bound;
  return ok ? 'yes' : 'NO';
}

/** The target as the table prints it, e.g. `ratio <= 1.3x`. */
export function describeTarget(target: Target | undefined): string {
  if (!target) return '';
  return `${target.of === 'ratio' ? 'ratio' : 'value'} ${target.op} ${target.bound}${target.of === 'ratio' ? 'x' : ''}`;
}
