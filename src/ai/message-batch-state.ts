import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Log } from '../io/io.js';
import type { CacheStore } from '../ports/ports.js';
import { writeFileAtomic } from '../history/store.js';
import { errorMessage } from '../shared/errors.js';

/**
 * Where a submitted Message Batch is remembered, so a re-run of the job collects it instead of
 * paying for the same requests twice. Two places:
 * - `<results file>.batch.json` beside the results file (written atomically right after the
 *   batch is created): enough locally and on self-hosted runners that keep the workspace;
 * - the Actions cache (the store the response cache uses), keyed by the fingerprint of the batch
 *   requests: a GitHub-hosted runner starts every run with a fresh workspace, and the same items
 *   rendered by the same prompt give the same fingerprint, so the re-run finds the batch there.
 */
const FORMAT = 'autostack.message-batch/v1';
const CACHE_DIRECTORY = '.autostack/cache/message-batches';

const batchStateSchema = z.object({
  format: z.literal(FORMAT),
  batchId: z.string().min(1),
  fingerprint: z.string(),
  submittedAt: z.string(),
  /** custom_id sent to the API → the item's id in the batch file. */
  items: z.record(z.string(), z.string()),
});
export type BatchState = z.infer<typeof batchStateSchema>;

export interface BatchStateStore {
  /** `<results file>.batch.json`. */
  statePath: string;
  /** Absent off a runner. */
  cache: CacheStore | undefined;
  /** The workspace: the cache's paths are relative to it. */
  root: string;
  log: Log;
}

export function statePathFor(resultsFile: string): string {
  return `${resultsFile}.batch.json`;
}

function hex(fingerprint: string): string {
  return fingerprint.replace(/^sha256:/, '');
}

function cachePath(fingerprint: string): string {
  return `${CACHE_DIRECTORY}/${hex(fingerprint)}`;
}

function cacheKey(fingerprint: string): string {
  return `autostack-message-batch-${hex(fingerprint)}`;
}

function readState(path: string, log: Log): BatchState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return batchStateSchema.parse(JSON.parse(text));
  } catch (error) {
    log.warning(`Ignoring an unreadable message-batch state file ${path}: ${errorMessage(error).split('\n')[0]}`);
    return undefined;
  }
}

/**
 * The batch already submitted for exactly these requests, if one is remembered. A state file for
 * other requests (the items or the prompt changed since) is reported and left alone.
 */
export async function findSubmittedBatch(fingerprint: string, store: BatchStateStore): Promise<BatchState | undefined> {
  const local = readState(store.statePath, store.log);
  if (local?.fingerprint === fingerprint) return local;
  if (local)
    store.log.warning(
      `${store.statePath} names message batch ${local.batchId}, submitted for other requests (the items or the prompt changed); it is not collected, and a new batch is submitted.`,
    );
  if (!store.cache) return undefined;
  try {
    if (!(await store.cache.restore([cachePath(fingerprint)], cacheKey(fingerprint)))) return undefined;
  } catch (error) {
    store.log.warning(`Actions cache lookup for a submitted message batch failed (${errorMessage(error)}).`);
    return undefined;
  }
  const cached = readState(join(store.root, cachePath(fingerprint), 'batch.json'), store.log);
  return cached?.fingerprint === fingerprint ? cached : undefined;
}

/** Saves the state beside the results file first (atomic), then in the Actions cache. */
export async function rememberBatch(state: BatchState, store: BatchStateStore): Promise<void> {
  const text = `${JSON.stringify(state, null, 2)}\n`;
  mkdirSync(dirname(store.statePath), { recursive: true });
  writeFileAtomic(store.statePath, text);
  const directory = join(store.root, cachePath(state.fingerprint));
  mkdirSync(directory, { recursive: true });
  writeFileAtomic(join(directory, 'batch.json'), text);
  if (!store.cache) return;
  try {
    await store.cache.save([cachePath(state.fingerprint)], cacheKey(state.fingerprint));
  } catch (error) {
    store.log.warning(
      `Could not save message batch ${state.batchId} to the Actions cache (${errorMessage(error)}); a re-run in a fresh workspace would submit it again.`,
    );
  }
}

/** Once the results are written the state file has done its work (the cache entry stays: see forgetBatch callers). */
export function forgetBatch(store: BatchStateStore): void {
  rmSync(store.statePath, { force: true });
}
