/**
 * What the eval gate spends, at every level: one run (its prompt call and its llm judges), one
 * case (its runs), one gate (its cases). One type and one way to add it up, so a new figure is
 * added in one place and reaches the run, the case, the report and the journal alike.
 */
export interface EvalTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export const noTotals = (): EvalTotals => ({ costUsd: 0, inputTokens: 0, outputTokens: 0 });

/** Adds `from`'s spend to `into` (a model call's result, or an earlier attempt of the same run). */
export function addTotals(into: EvalTotals, from: EvalTotals): void {
  into.costUsd += from.costUsd;
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
}

/** The sum of `parts`, the cost rounded to a millionth of a dollar as the report shows it. */
export function sumTotals(parts: readonly EvalTotals[]): EvalTotals {
  const total = noTotals();
  for (const part of parts) addTotals(total, part);
  return { ...total, costUsd: Math.round(total.costUsd * 1e6) / 1e6 };
}
