// run-prompt's batch inputs: one batch file, run by live calls (mode: messages, batch-run.ts) or
// through the Message Batches API (mode: message-batches, message-batches.ts). Same file format
// and results file either way (batch-file.ts).
import { extname } from 'node:path';
import type { BatchOptions, MessageBatchOptions } from '../ai/run-prompt.js';
import { RUN_MODES } from '../ai/run-prompt-options.js';
import { InputError } from '../shared/errors.js';
import { input, type InputsOf } from '../shared/inputs.js';
import { confinedReadPath, confinedWritePath } from '../shared/paths.js';

/** Above this a batch is better sent as a Message Batch (half price, no rate limit to share). */
const MAX_BATCH_CONCURRENCY = 64;

export const batchInputs = {
  mode: input.oneOf(RUN_MODES, 'messages'),
  'batch-file': input.optionalText(),
  'batch-results-file': input.optionalText(),
  'batch-concurrency': input.integer({ min: 1, max: MAX_BATCH_CONCURRENCY, default: 8 }),
  'batch-fail-on-error': input.boolean(true),
  // A GitHub-hosted job ends after 6 hours; a batch may take up to 24 (a re-run collects it).
  'batch-timeout-minutes': input.integer({ min: 1, max: 1440, default: 60 }),
};

type BatchInputs = InputsOf<typeof batchInputs>;

/** `batch-file` and its companions, paths confined to the workspace; nothing for a single run. */
export function batchSpecs(
  inputs: BatchInputs,
  workspace: string,
): { batch?: BatchOptions | undefined; messageBatch?: MessageBatchOptions | undefined } {
  const given = inputs['batch-file'];
  if (!given) {
    if (inputs.mode === 'message-batches')
      throw new InputError(
        'batch-file',
        'is required with mode: message-batches: a JSON Lines file, one {"id": ..., "variables": {...}} a line',
      );
    if (inputs['batch-results-file'])
      throw new InputError('batch-results-file', "needs 'batch-file': it names where a batch's results go");
    return {};
  }
  // A batch file may be far larger than one request: the 30 MB request limit is not its limit.
  const file = confinedReadPath('batch-file', given, workspace, { maxBytes: Number.MAX_SAFE_INTEGER });
  const resultsShown = inputs['batch-results-file'] ?? defaultResultsPath(given);
  const resultsFile = confinedWritePath('batch-results-file', resultsShown, workspace);
  if (resultsFile === file)
    throw new InputError('batch-results-file', `names the batch file itself (${given}); name another file`);
  if (inputs.mode === 'message-batches')
    return {
      messageBatch: {
        batchFile: given,
        resultsFile: resultsShown,
        timeoutMs: inputs['batch-timeout-minutes'] * 60_000,
        failOnError: inputs['batch-fail-on-error'],
      },
    };
  return {
    batch: {
      file,
      fileShown: given,
      resultsFile,
      resultsFileShown: resultsShown,
      concurrency: inputs['batch-concurrency'],
      failOnError: inputs['batch-fail-on-error'],
    },
  };
}

/** `items.jsonl` → `items.results.jsonl`, beside the input (here, as a run without a batch does not load batch-file.ts). */
export function defaultResultsPath(batchFile: string): string {
  const extension = extname(batchFile);
  const stem = extension ? batchFile.slice(0, -extension.length) : batchFile;
  return `${stem}.results${extension || '.jsonl'}`;
}
