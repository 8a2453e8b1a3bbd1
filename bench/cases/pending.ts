import type { BenchCase, Figure } from '../lib.js';

/**
 * Rows other issues fill in. To add one: put a case in its own file in bench/cases/ returning
 * Figures (value, same-run baseline, target), then delete its entry here.
 */
const PENDING: Array<{ name: string; figure: string; baseline: string; issue: string }> = [];

export const cases: BenchCase[] = PENDING.map((row) => ({
  name: row.name,
  async run(): Promise<Figure[]> {
    return [
      {
        name: row.figure,
        value: Number.NaN,
        unit: '',
        baseline: { name: row.baseline, value: Number.NaN, unit: '' },
        pending: `pending (${row.issue})`,
      },
    ];
  },
}));
