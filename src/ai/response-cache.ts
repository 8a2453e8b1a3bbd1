import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Log } from '../io/io.js';
import type { CacheStore } from '../ports/ports.js';
import { errorMessage } from '../shared/errors.js';
import { redactDeep } from '../shared/redact.js';

/**
 * The idempotent response cache: a finished run-prompt result stored under its fingerprint, so a
 * re-run of the same job (same prompt version, messages, model, parameters) is answered without
 * calling — or paying — the API. Locally it is a directory; on a runner the same directory is
 * saved to and restored from the Actions cache, one entry per fingerprint.
 */
export const CACHE_DIRECTORY = '.autostack/cache/prompts';
const FORMAT = 'autostack.response-cache/v1';

export const cachedResultSchema = z.object({
  format: z.literal(FORMAT),
  fingerprint: z.string(),
  createdAt: z.string(),
  promptVersion: z.string(),
  model: z.string(),
  text: z.string(),
  json: z.unknown().optional(),
  stopReason: z.string().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** What the original call cost; a cache hit itself costs nothing. */
  originalCostUsd: z.number(),
});
export type CachedResult = z.infer<typeof cachedResultSchema>;
export type NewCachedResult = Omit<CachedResult, 'format' | 'createdAt'>;

function entryDirectory(fingerprint: string, root: string): string {
  return join(root, CACHE_DIRECTORY, fingerprint.replace(/^sha256:/, ''));
}

function cacheKey(fingerprint: string): string {
  return `autostack-prompt-${fingerprint.replace(/^sha256:/, '')}`;
}

/** Relative to the workspace: the Actions cache versions entries by the path strings it is given. */
function cachePath(fingerprint: string): string {
  return `${CACHE_DIRECTORY}/${fingerprint.replace(/^sha256:/, '')}`;
}

function readEntry(fingerprint: string, root: string, log: Log): CachedResult | undefined {
  const file = join(entryDirectory(fingerprint, root), 'result.json');
  // A miss is the common case in a batch: a stat is far cheaper than the error a failed read throws.
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = cachedResultSchema.parse(JSON.parse(text));
    return entry.fingerprint === fingerprint ? entry : undefined;
  } catch (error) {
    log.warning(`Ignoring an unreadable response-cache entry for ${fingerprint}: ${errorMessage(error)}`);
    return undefined;
  }
}

export interface ResponseCacheOptions {
  log: Log;
  /** The Actions cache, as well as the local directory (on a runner). */
  cache: CacheStore | undefined;
  /** Directory the relative cache path is resolved against (the workspace). */
  root?: string;
}

export async function lookupCachedResult(
  fingerprint: string,
  options: ResponseCacheOptions,
): Promise<CachedResult | undefined> {
  const root = options.root ?? process.cwd();
  const local = readEntry(fingerprint, root, options.log);
  if (local || !options.cache) return local;
  try {
    const hit = await options.cache.restore([cachePath(fingerprint)], cacheKey(fingerprint));
    if (!hit) return undefined;
  } catch (error) {
    // A cache outage must never fail the step: it only means paying for the call.
    options.log.warning(`Actions cache lookup failed (${errorMessage(error)}); calling the model.`);
    return undefined;
  }
  return readEntry(fingerprint, root, options.log);
}

export async function storeCachedResult(result: NewCachedResult, options: ResponseCacheOptions): Promise<void> {
  const root = options.root ?? process.cwd();
  // The entry outlives the run (the Actions cache is restored by other runs of the repo): a
  // secret echoed in a reply must not be stored with it.
  const entry: CachedResult = redactDeep({ format: FORMAT, createdAt: new Date().toISOString(), ...result });
  const directory = entryDirectory(result.fingerprint, root);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'result.json'), `${JSON.stringify(entry, null, 2)}\n`);
  if (!options.cache) return;
  try {
    await options.cache.save([cachePath(result.fingerprint)], cacheKey(result.fingerprint));
  } catch (error) {
    options.log.warning(
      `Could not save the response to the Actions cache (${errorMessage(error)}); a re-run will call the model again.`,
    );
  }
}
