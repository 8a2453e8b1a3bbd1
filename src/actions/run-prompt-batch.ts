import { type BatchSummary, runBatch } from '../ai/batch-run.js';
import { resolve } from 'node:path';
import type { MessageBatchSummary } from '../ai/message-batches.js';
import type { BatchOptions, MessageBatchOptions, RunPromptSpec } from '../ai/run-prompt.js';
import type { StepIo } from '../io/io.js';
import { loadSchemaEngine } from '../prompts/engine.js';
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
  // runBatch reads the prompt file synchronously, and it may hold a JSON Schema.
  await loadSchemaEngine();
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

/**
 * `mode: message-batches`: the batch file through the Message Batches API, as one journaled step
 * with the same outputs as a live batch. The core is loaded only on this path.
 */
export async function runMessageBatchStep(
  io: StepIo,
  spec: RunPromptSpec,
  options: MessageBatchOptions,
): Promise<MessageBatchSummary> {
  const { runMessageBatches } = await import('../ai/message-batches.js');
  const done = (summary: MessageBatchSummary): string =>
    `${summary.items} item(s): ${summary.ok - summary.alreadyDone} ok, ${summary.errors} failed, ${summary.alreadyDone} already done`;
  return inJournaledStep(
    `run-prompt batch ${options.batchFile} (message batch)`,
    'run-prompt',
    async (step) => {
      const summary = await runMessageBatches(spec, options, io, step);
      setActionOutputs(io, 'run-prompt', {
        'batch-items': String(summary.items),
        'batch-ok': String(summary.ok - summary.alreadyDone),
        'batch-failed': String(summary.errors),
        'batch-skipped': String(summary.alreadyDone),
        'batch-results-file': resolve(spec.workspace, summary.resultsFile),
        'message-batch-id': summary.batchId ?? '',
        model: summary.model,
        'input-tokens': String(summary.inputTokens),
        'output-tokens': String(summary.outputTokens),
        'cost-usd': summary.costUsd.toFixed(6),
      });
      io.info(
        `batch ${done(summary)}: ${summary.inputTokens} in / ${summary.outputTokens} out tokens, $${summary.costUsd.toFixed(4)} at the batch price → ${summary.resultsFile}`,
      );
      if (summary.errors > 0 && options.failOnError)
        throw new UserError(
          `${summary.errors} of ${summary.items} batch item(s) failed; their lines in ${summary.resultsFile} say why, and a re-run submits only those.`,
        );
      if (summary.errors > 0)
        io.warning(
          `${summary.errors} of ${summary.items} batch item(s) failed; their lines in ${summary.resultsFile} say why.`,
        );
      return summary;
    },
    (summary) => `batch ${done(summary)} → ${summary.resultsFile}`,
  );
}
