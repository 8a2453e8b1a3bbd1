import { type BatchSummary, runBatch } from '../ai/batch-run.js';
import type { BatchOptions, RunPromptSpec } from '../ai/run-prompt.js';
import type { StepIo } from '../io/io.js';
import { inJournaledStep } from '../runs/step.js';
import { UserError } from '../shared/errors.js';
import { setActionOutputs } from './outputs.js';

function counts(summary: BatchSummary): string {
  return `${summary.items} item(s): ${summary.ok} ok, ${summary.failed} failed, ${summary.skipped} already done${summary.notRun ? `, ${summary.notRun} not run` : ''}`;
}

/** Why the step fails, if it does: items left unrun always; failed items unless batch-fail-on-error is false. */
function failure(summary: BatchSummary, batch: BatchOptions): string | undefined {
  const first = summary.firstError ? ` First: '${summary.firstError.id}': ${summary.firstError.error}` : '';
  if (summary.notRun > 0)
    return `The batch stopped after its first ${summary.failed} item(s) all failed; ${summary.notRun} were not run.${first}`;
  if (summary.failed > 0 && batch.failOnError)
    return `${summary.failed} of ${summary.items} batch item(s) failed; their lines in ${batch.resultsFileShown} say why, and a re-run tries them again.${first}`;
  return undefined;
}

/** `batch-file`: one journaled step for the whole batch; the action and the CLI both run this. */
export async function runPromptBatchStep(
  io: StepIo,
  spec: RunPromptSpec & { batch: BatchOptions },
): Promise<BatchSummary> {
  const { batch } = spec;
  return inJournaledStep(
    `run-prompt batch ${batch.fileShown}`,
    'run-prompt',
    async (step) => {
      const summary = await runBatch(spec, io, step);
      setActionOutputs(io, 'run-prompt', {
        'batch-items': String(summary.items),
        'batch-ok': String(summary.ok),
        'batch-failed': String(summary.failed),
        'batch-skipped': String(summary.skipped),
        'batch-results-file': batch.resultsFile,
        'input-tokens': String(summary.inputTokens),
        'output-tokens': String(summary.outputTokens),
        'cost-usd': summary.costUsd.toFixed(6),
      });
      const { ok, failed, skipped, notRun } = summary;
      step.append({
        type: 'log',
        level: 'info',
        message: `batch ${counts(summary)}`,
        data: { batch: { items: summary.items, ok, failed, skipped, notRun } },
      });
      io.info(
        `batch ${counts(summary)}: ${summary.inputTokens} in / ${summary.outputTokens} out tokens, $${summary.costUsd.toFixed(4)} → ${batch.resultsFileShown}`,
      );
      const problem = failure(summary, batch);
      if (problem) throw new UserError(problem);
      return summary;
    },
    (summary) => `batch ${counts(summary)} → ${batch.resultsFileShown}`,
  );
}
