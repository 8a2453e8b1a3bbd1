// run-prompt over a JSON Lines file of variable sets: every item goes through runPrompt (templates,
// schema and repair, tools, response cache, budget), a pool of workers at the concurrency the API
// allows, and each finished item appended to the results file, which is the checkpoint a re-run
// resumes from.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Log } from '../io/io.js';
import type { JournaledStep } from '../runs/step.js';
import { errorMessage } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import {
  type BatchItem,
  type BatchResult,
  formatResultLine,
  keepFinishedResults,
  readBatchItems,
  readBatchResults,
} from './batch-file.js';
import { AdaptiveLimit } from '../shared/adaptive-limit.js';
import { type PoolClock, RateLimitPacer, runPool } from './batch-pool.js';
import type { ModelCaller } from './provider.js';
import { buildCaller } from './run-prompt-callers.js';
import {
  type BatchOptions,
  loadDefinition,
  recordingsPathOf,
  runPrompt,
  type RunPromptResult,
  type RunPromptSpec,
} from './run-prompt.js';

export interface BatchSummary {
  items: number;
  ok: number;
  failed: number;
  /** Already done by an earlier run (an ok line in the results file). */
  skipped: number;
  resultsFile: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Items left unstarted because every one tried so far failed (a setup problem, not the items). */
  notRun: number;
  /** The first failure, for the step's error. */
  firstError?: { id: string; error: string } | undefined;
}

/** The results of earlier runs worth keeping (ok lines), the file rewritten to hold only those. */
function resume(batch: BatchOptions, log: Log): Map<string, BatchResult> {
  const { results, droppedPartial } = readBatchResults(batch.resultsFile);
  const finished = [...results.values()].filter((result) => result.status === 'ok');
  if (droppedPartial) log.info(`${batch.resultsFileShown}: dropped a half-written last line (a killed run's)`);
  if (finished.length < results.size || droppedPartial) keepFinishedResults(batch.resultsFile, finished);
  const retried = results.size - finished.length;
  if (results.size > 0)
    log.info(
      `${batch.resultsFileShown}: resuming; ${finished.length} item(s) done${retried ? `, ${retried} failed one(s) tried again` : ''}`,
    );
  return new Map(finished.map((result) => [result.id, result]));
}

/** An item's step outputs, as the results line holds them. */
function outputsOf(result: RunPromptResult): Record<string, unknown> {
  return {
    text: result.text,
    ...(result.hasJson ? { json: result.json } : {}),
    'stop-reason': result.stopReason ?? '',
    model: result.model,
    'cache-hit': result.cacheHit,
    'tool-calls': result.toolCalls,
  };
}

/**
 * Per item, run-prompt's own log lines (the plan, each call) would be thousands of lines: they are
 * dropped; each distinct warning or notice is shown once.
 */
function itemLog(log: Log): Log {
  const shown = new Set<string>();
  const once =
    (print: (message: string) => void) =>
    (message: string): void => {
      if (shown.has(message)) return;
      shown.add(message);
      print(message);
    };
  return {
    debug: () => undefined,
    info: () => undefined,
    notice: once((message) => log.notice(message)),
    warning: once((message) => log.warning(message)),
    error: once((message) => log.error(message)),
    group: (_title, body) => body(),
    setSecret: (value) => log.setSecret(value),
  };
}

/** Failures in a row, with no success yet, after which the batch stops starting items. */
const STOP_AFTER_FAILURES = 5;

export interface BatchRunOptions {
  clock?: PoolClock;
}

/** Runs every item not yet done; the summary counts this run's items and the ones skipped. */
export async function runBatch(
  spec: RunPromptSpec & { batch: BatchOptions },
  log: Log,
  step: JournaledStep,
  options: BatchRunOptions = {},
): Promise<BatchSummary> {
  const { batch } = spec;
  const items = readBatchItems(batch.file, batch.fileShown);
  // Loaded and checked once, before any call: a bad prompt fails the step, not every item.
  const definition = await loadDefinition(spec);
  mkdirSync(dirname(batch.resultsFile), { recursive: true });
  const done = resume(batch, log);
  const todo = items.filter((item) => !done.has(item.id));
  const summary: BatchSummary = {
    items: items.length,
    ok: 0,
    failed: 0,
    skipped: items.length - todo.length,
    resultsFile: batch.resultsFile,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    notRun: 0,
  };
  const limit = new AdaptiveLimit(batch.concurrency);
  const pacer = new RateLimitPacer(limit, options.clock);
  log.info(
    `batch ${batch.fileShown}: ${items.length} item(s), ${summary.skipped} already done, ${todo.length} to run at concurrency ${batch.concurrency} → ${batch.resultsFileShown}`,
  );
  const quiet = itemLog(log);
  let caller: ModelCaller | undefined;
  // Items share the local response cache; one Actions cache entry per item would be thousands of uploads.
  const itemSpec: RunPromptSpec = {
    ...spec,
    batch: undefined,
    definition,
    pacer,
    noResponseFile: true,
    // One SDK client for all items, and replies as one JSON body: a stream costs twice the CPU per
    // call, which thousands of short calls feel (docs/benchmarks.md); the idle timeout does not apply.
    sharedCaller: () =>
      (caller ??= buildCaller(itemSpec, quiet, recordingsPathOf(spec, definition), { stream: false })),
    spentElsewhereUsd: () => summary.costUsd,
    ports: { ...spec.ports, cache: undefined },
  };
  const record = (result: BatchResult): void => {
    appendFileSync(batch.resultsFile, formatResultLine(result));
    summary.inputTokens += result.tokens.input;
    summary.outputTokens += result.tokens.output;
    summary.costUsd += result.costUsd;
    if (result.status === 'ok') summary.ok += 1;
    else {
      summary.failed += 1;
      summary.firstError ??= { id: result.id, error: result.error ?? '' };
    }
  };
  // The same failure for the first items (no key, a missing variable) would repeat for all of them.
  const hopeless = (): boolean => summary.ok === 0 && summary.failed >= Math.min(STOP_AFTER_FAILURES, todo.length);
  await runPool(
    todo,
    limit,
    async (item) => {
      record(await runItem(item, itemSpec, quiet, step));
    },
    hopeless,
  );
  summary.notRun = todo.length - summary.ok - summary.failed;
  summary.costUsd = Math.round(summary.costUsd * 1e6) / 1e6;
  if (pacer.backoffs > 0)
    log.info(`rate limited: the pool halved its concurrency ${pacer.backoffs} time(s) (now ${limit.current})`);
  return summary;
}

async function runItem(item: BatchItem, spec: RunPromptSpec, log: Log, step: JournaledStep): Promise<BatchResult> {
  try {
    const result = await runPrompt({ ...spec, variables: { ...spec.variables, ...item.variables } }, log, step);
    return {
      id: item.id,
      status: 'ok',
      outputs: outputsOf(result),
      tokens: { input: result.inputTokens, output: result.outputTokens },
      costUsd: result.costUsd,
    };
  } catch (error) {
    // Calls that failed after being paid for are in the journal; the line carries the error.
    return {
      id: item.id,
      status: 'error',
      outputs: {},
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      error: redact(errorMessage(error).split('\n')[0] ?? 'error'),
    };
  }
}
