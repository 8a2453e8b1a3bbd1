import { relative, resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { Log } from '../io/io.js';
import type { JournaledStep } from '../runs/step.js';
import { writeFileAtomic } from '../history/store.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { InputError, UserError } from '../shared/errors.js';
import { redact, redactDeep } from '../shared/redact.js';
import {
  type BatchItem,
  type BatchResult as BatchResultLine,
  formatResultLine,
  readBatchItems,
  readBatchResults,
} from './batch-file.js';
import { anthropicClient, toParams } from './client.js';
import { estimateTokens } from './conversation.js';
import { ModelError } from './errors.js';
import { sha256 } from './fingerprint.js';
import { journalBatchCalls, type ReplyRules, resultLineOf } from './message-batch-results.js';
import {
  type BatchState,
  type BatchStateStore,
  findSubmittedBatch,
  forgetBatch,
  rememberBatch,
  statePathFor,
} from './message-batch-state.js';
import { BATCH_PRICE_FACTOR, maxCostUsd } from './prices.js';
import { SILENT_LOG } from './run-prompt-callers.js';
import { type MessageBatchOptions, planCall, type RunPromptSpec } from './run-prompt.js';

/**
 * `mode: message-batches`: every item of a batch file rendered exactly as a single run renders
 * its request (planCall), sent as one Message Batch (half the price, results within 24 hours),
 * polled until it ends, and its results written as result lines. The submitted batch is
 * remembered (message-batch-state.ts), so a re-run collects it instead of paying twice.
 */
export interface MessageBatchSummary {
  batchId: string | undefined;
  /** The model the batch ran on; undefined when nothing needed running. */
  model: string | undefined;
  resultsFile: string;
  items: number;
  ok: number;
  errors: number;
  /** Items the results file already held as ok, not submitted again. */
  alreadyDone: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The API's limit on requests in one batch. */
const MAX_BATCH_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_POLL_MS = 60_000;

interface PreparedRequest {
  item: BatchItem;
  customId: string;
  params: Anthropic.Messages.MessageCreateParamsNonStreaming;
  /** The single-run fingerprint of this item's request (journal). */
  fingerprint: string;
}

interface PreparedBatch {
  requests: PreparedRequest[];
  rules: ReplyRules;
  /** The prompt's name and version, for the log. */
  prompt: string;
  fingerprint: string;
}

/**
 * custom_id must match `^[a-zA-Z0-9_-]{1,64}$`: an id that does not is sent as `id-<hash>` (the
 * same id always maps to the same custom_id); the mapping is kept in the batch state.
 */
export function customIdsFor(ids: readonly string[]): Map<string, string> {
  const taken = new Set(ids.filter((id) => CUSTOM_ID.test(id)));
  const mapped = new Map<string, string>();
  for (const id of ids) {
    if (CUSTOM_ID.test(id)) {
      mapped.set(id, id);
      continue;
    }
    const base = `id-${sha256(id).slice('sha256:'.length, 'sha256:'.length + 24)}`;
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
    taken.add(candidate);
    mapped.set(id, candidate);
  }
  return mapped;
}

async function prepareBatch(spec: RunPromptSpec, items: BatchItem[], log: Log): Promise<PreparedBatch> {
  const customIds = customIdsFor(items.map((item) => item.id));
  const requests: PreparedRequest[] = [];
  let rules: ReplyRules | undefined;
  let definition = spec.definition;
  for (const item of items) {
    // The prompt's notices (model swapped, parameters dropped) are said once, for the first item.
    const plan = await planCall(
      { ...spec, definition, variables: { ...spec.variables, ...item.variables } },
      rules ? SILENT_LOG : log,
    );
    definition = plan.definition;
    if (plan.tools.definitions.length > 0)
      throw new InputError(
        'mode',
        'is message-batches, but the prompt declares tools: a batch request cannot run a tool loop. Use mode: messages for prompts with tools.',
      );
    rules ??= {
      model: plan.model,
      maxTokens: plan.maxTokens,
      allowTruncation: spec.allowTruncation,
      wantsJson: plan.wantsJson,
      validate: plan.schema ? (value) => plan.schema!.validate(value) : undefined,
    };
    const customId = customIds.get(item.id) ?? item.id;
    requests.push({ item, customId, params: toParams(plan.request, SILENT_LOG), fingerprint: plan.fingerprint });
  }
  if (!rules) throw new UserError('The batch has no items to submit.');
  const fingerprint = sha256(
    canonicalJson({
      kind: 'autostack.message-batch/v1',
      requests: requests.map((request) => ({ customId: request.customId, params: request.params })),
      wantsJson: rules.wantsJson,
    }),
  );
  const prompt = definition ? `${definition.name} (${definition.versionLabel})` : 'the prompt';
  return { requests, rules, fingerprint, prompt };
}

/** `max-cost-usd` bounds the whole batch: every request at its worst, at the batch price. */
function checkBudget(spec: RunPromptSpec, batch: PreparedBatch): void {
  if (spec.maxCostUsd === undefined) return;
  let worst = 0;
  for (const { params } of batch.requests) {
    const one = maxCostUsd(params.model, estimateTokens([params.system ?? '', params.messages]), params.max_tokens);
    if (one === undefined)
      throw new UserError(
        `Input 'max-cost-usd' cannot be enforced: model ${params.model} has no price in autostack's table. Choose a priced model or remove the budget.`,
      );
    worst += one * BATCH_PRICE_FACTOR;
  }
  if (worst > spec.maxCostUsd)
    throw new UserError(
      `Input 'max-cost-usd' (${spec.maxCostUsd}) stops this batch: its ${batch.requests.length} requests could cost up to $${worst.toFixed(4)} at the batch price. Raise the budget, lower max-tokens or split the batch file.`,
    );
}

/** API failures as one line the user can act on; the key never appears in them. */
async function batchesApi<T>(what: string, apiKey: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof Anthropic.APIError)) throw error;
    const status = typeof error.status === 'number' ? error.status : undefined;
    const detail = error.apiMessage ?? error.message;
    const text = `The Message Batches API failed to ${what}: ${status ?? ''} ${error.type ?? ''} ${detail}`.replace(
      /\s+/g,
      ' ',
    );
    throw new ModelError(status === 404 ? 'not_found' : 'api', redact(text.split(apiKey).join('***')), {
      status,
      apiType: error.type ?? undefined,
      requestId: error.requestID ?? undefined,
    });
  }
}

async function submitBatch(
  client: Anthropic,
  batch: PreparedBatch,
  context: { apiKey: string; store: BatchStateStore; step: JournaledStep; log: Log },
): Promise<BatchState> {
  const created = await batchesApi('create the batch', context.apiKey, () =>
    client.messages.batches.create({
      requests: batch.requests.map(({ customId, params }) => ({ custom_id: customId, params })),
    }),
  );
  const state: BatchState = {
    format: 'autostack.message-batch/v1',
    batchId: created.id,
    fingerprint: batch.fingerprint,
    submittedAt: created.created_at,
    items: Object.fromEntries(batch.requests.map(({ customId, item }) => [customId, item.id])),
  };
  // Saved before anything else can fail: from here on a re-run must collect, not pay again.
  await rememberBatch(state, context.store);
  context.step.append({
    type: 'system.touched',
    system: 'anthropic',
    target: batch.rules.model,
    operation: 'messages.batches.create',
    id: created.id,
  });
  context.log.info(`submitted message batch ${created.id}: ${batch.requests.length} request(s) at half the list price`);
  return state;
}

export function defaultBatchPollMs(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.AUTOSTACK_BATCH_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 10_000;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls with backoff (×1.5, at most a minute apart) until the batch ends or the timeout passes. */
async function waitForEnd(
  client: Anthropic,
  state: BatchState,
  options: MessageBatchOptions & { apiKey: string; statePath: string },
  log: Log,
): Promise<Anthropic.Messages.MessageBatch> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = options.pollMs ?? defaultBatchPollMs();
  for (;;) {
    const batch = await batchesApi('read the batch', options.apiKey, () =>
      client.messages.batches.retrieve(state.batchId),
    );
    const counts = batch.request_counts;
    log.info(
      `message batch ${batch.id}: ${batch.processing_status} (${counts.succeeded} succeeded, ${counts.errored} errored, ${counts.expired} expired, ${counts.canceled} canceled, ${counts.processing} processing)`,
    );
    if (batch.processing_status === 'ended') return batch;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new UserError(
        `Message batch ${batch.id} has not ended after ${Math.round(options.timeoutMs / 60_000)} minute(s) (batch-timeout-minutes). It keeps running, and ${options.statePath} remembers it: re-run the job to collect its results without paying again.`,
      );
    await sleep(Math.min(interval, left));
    interval = Math.min(MAX_POLL_MS, Math.round(interval * 1.5));
  }
}

/** Streams the batch's JSON Lines results into one result line per item. */
async function collectResults(
  client: Anthropic,
  batch: Anthropic.Messages.MessageBatch,
  state: BatchState,
  prepared: PreparedBatch,
  context: { apiKey: string; step: JournaledStep },
): Promise<Map<string, BatchResultLine>> {
  const byCustomId = new Map(prepared.requests.map((request) => [request.customId, request]));
  const lines = new Map<string, BatchResultLine>();
  const answered: Parameters<typeof journalBatchCalls>[1] = [];
  const stream = await batchesApi('read the batch results', context.apiKey, () =>
    client.messages.batches.results(batch.id),
  );
  for await (const entry of stream) {
    const itemId = state.items[entry.custom_id];
    if (itemId === undefined) continue;
    const line = resultLineOf(itemId, entry.result, prepared.rules);
    lines.set(itemId, line);
    if (entry.result.type === 'succeeded')
      answered.push({
        message: entry.result.message,
        fingerprint: byCustomId.get(entry.custom_id)?.fingerprint ?? prepared.fingerprint,
        costUsd: line.costUsd,
      });
  }
  const latencyMs = batch.ended_at ? Math.max(0, Date.parse(batch.ended_at) - Date.parse(batch.created_at)) : 0;
  journalBatchCalls(context.step, answered, latencyMs);
  return lines;
}

/** The whole results file, in batch-file order, written at once: a killed run never leaves half of it. */
function writeResults(
  path: string,
  items: BatchItem[],
  previous: Map<string, BatchResultLine>,
  fresh: Map<string, BatchResultLine>,
): BatchResultLine[] {
  const lines: BatchResultLine[] = items.map(
    (item) =>
      fresh.get(item.id) ??
      previous.get(item.id) ?? {
        id: item.id,
        status: 'error',
        outputs: {},
        tokens: { input: 0, output: 0 },
        costUsd: 0,
        error: 'No result came back for this item; a re-run submits it again.',
      },
  );
  const ids = new Set(items.map((item) => item.id));
  // Lines for ids no longer in the batch file are kept, after the others: they were paid for.
  const kept = [...previous.values()].filter((line) => !ids.has(line.id));
  writeFileAtomic(path, [...lines, ...kept].map((line) => formatResultLine(redactDeep(line))).join(''));
  return lines;
}

/** Cancellation leaves the batch running: one line says where it is remembered, then the step ends as cancelled. */
function sayOnCancel(state: BatchState, statePath: string, log: Log): () => void {
  const say = (): void =>
    log.info(
      `Cancelled while waiting: message batch ${state.batchId} keeps running at Anthropic, and ${statePath} remembers it; a re-run collects its results without paying again.`,
    );
  // Prepended: the step's own handler ends the process once it has journaled the cancellation.
  process.prependOnceListener('SIGTERM', say);
  process.prependOnceListener('SIGINT', say);
  return () => {
    process.off('SIGTERM', say);
    process.off('SIGINT', say);
  };
}

function summaryOf(
  lines: BatchResultLine[],
  base: Pick<MessageBatchSummary, 'batchId' | 'model' | 'resultsFile' | 'alreadyDone'>,
): MessageBatchSummary {
  const ok = lines.filter((line) => line.status === 'ok').length;
  const sum = (of: (line: BatchResultLine) => number): number => lines.reduce((total, line) => total + of(line), 0);
  return {
    ...base,
    items: lines.length,
    ok,
    errors: lines.length - ok,
    inputTokens: sum((line) => line.tokens.input),
    outputTokens: sum((line) => line.tokens.output),
    costUsd: Math.round(sum((line) => line.costUsd) * 1e6) / 1e6,
  };
}

/** The batch remembered for these requests, if the API still knows it (results are kept 29 days). */
async function existingBatch(
  client: Anthropic,
  fingerprint: string,
  store: BatchStateStore,
  apiKey: string,
): Promise<BatchState | undefined> {
  const state = await findSubmittedBatch(fingerprint, store);
  if (!state) return undefined;
  try {
    await batchesApi('read the batch', apiKey, () => client.messages.batches.retrieve(state.batchId));
  } catch (error) {
    if (!(error instanceof ModelError) || error.kind !== 'not_found') throw error;
    store.log.warning(`Message batch ${state.batchId} is no longer known to the API; submitting the items again.`);
    return undefined;
  }
  store.log.info(`collecting message batch ${state.batchId}, submitted ${state.submittedAt} (no new batch is created)`);
  return state;
}

export async function runMessageBatches(
  spec: RunPromptSpec,
  options: MessageBatchOptions,
  log: Log,
  step: JournaledStep,
): Promise<MessageBatchSummary> {
  if (spec.provider !== 'anthropic' || spec.record)
    throw new InputError(
      'mode',
      'is message-batches, which calls the live API: it cannot be used with provider replay or --record.',
    );
  if (spec.tools.length > 0)
    throw new InputError('tools', 'cannot be used with mode: message-batches: a batch request cannot run a tool loop.');
  if (!spec.apiKey)
    throw new UserError(
      "Input 'anthropic-api-key' is empty and ANTHROPIC_API_KEY is not set; mode message-batches needs a key.",
    );
  const apiKey = spec.apiKey;
  const resultsPath = resolve(spec.workspace, options.resultsFile);
  const items = readBatchItems(resolve(spec.workspace, options.batchFile), options.batchFile);
  const previous = readBatchResults(resultsPath).results;
  const pending = items.filter((item) => previous.get(item.id)?.status !== 'ok');
  const base = { resultsFile: resultsPath, alreadyDone: items.length - pending.length };
  if (pending.length === 0) {
    log.info(`every item of ${options.batchFile} already has an ok line in ${options.resultsFile}; nothing to submit`);
    return summaryOf(
      items.map((item) => previous.get(item.id)!),
      { ...base, batchId: undefined, model: undefined },
    );
  }
  if (pending.length > MAX_BATCH_REQUESTS)
    throw new UserError(
      `${options.batchFile} has ${pending.length} items to run; one message batch takes at most ${MAX_BATCH_REQUESTS}. Split the file.`,
    );
  const prepared = await prepareBatch(spec, pending, log);
  const statePath = statePathFor(resultsPath);
  const store: BatchStateStore = { statePath, cache: spec.ports.cache, root: spec.workspace, log };
  // The same client as live calls (custom-headers included); the SDK's retries suit these few calls.
  const client = anthropicClient({ apiKey, baseUrl: spec.baseUrl, headers: spec.customHeaders }, { maxRetries: 4 });
  log.info(
    `${prepared.prompt} on ${prepared.rules.model}: ${pending.length} item(s) of ${options.batchFile} to run${base.alreadyDone ? ` (${base.alreadyDone} already ok in ${options.resultsFile})` : ''}; batch fingerprint ${prepared.fingerprint}`,
  );
  let state = await existingBatch(client, prepared.fingerprint, store, apiKey);
  if (!state) {
    checkBudget(spec, prepared);
    state = await submitBatch(client, prepared, { apiKey, store, step, log });
  }
  const shownStatePath = relative(spec.workspace, statePath) || statePath;
  const stopSaying = sayOnCancel(state, shownStatePath, log);
  try {
    const batch = await waitForEnd(client, state, { ...options, apiKey, statePath: shownStatePath }, log);
    const fresh = await collectResults(client, batch, state, prepared, { apiKey, step });
    const lines = writeResults(resultsPath, items, previous, fresh);
    forgetBatch(store);
    const summary = summaryOf(lines, { ...base, batchId: state.batchId, model: prepared.rules.model });
    step.append({
      type: 'log',
      level: summary.errors > 0 ? 'warning' : 'info',
      message: `message batch ${state.batchId} collected: ${summary.ok} ok, ${summary.errors} error(s) of ${summary.items} item(s)`,
      data: { ...summary, requestCounts: batch.request_counts },
    });
    return summary;
  } finally {
    stopSaying();
  }
}
