import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { CHANNEL } from './limits.js';
import { parsePromptText } from './load.js';
import { contentHash, versionLabel } from './normalize.js';
import { issueProblems, problemsError, YamlSource, type DataPath } from './source.js';
import type { PromptDefinition } from './types.js';
import { UserError } from '../shared/errors.js';

/**
 * The prompt lock: one file in the repository recording, for every prompt file and channel
 * (production, staging, any name), which content is promoted there, with who, when, from which
 * commit, the eval result, and the versions it replaced. Beside it, a snapshot of every promoted
 * content, named by its hash, so a channel always runs exactly what was promoted — verified by
 * hash — whatever the prompt file says today.
 */
export const LOCK_FILE = '.autostack/prompts.lock.yml';
export const SNAPSHOT_DIRECTORY = '.autostack/prompt-snapshots';
export const LOCK_FORMAT = 'autostack.prompts-lock/v1';
/** Older versions kept per channel (newest first); rollback walks back through them. */
export const MAX_HISTORY = 10;

const HASH = /^sha256:[0-9a-f]{64}$/;

export const evalSummarySchema = z.object({
  passRate: z.number().min(0).max(1),
  passed: z.int().min(0),
  total: z.int().min(0),
  minPassRate: z.number().min(0).max(1),
  costUsd: z.number().min(0),
  /** Every run's tokens, judges included (absent in locks written before repeat). */
  inputTokens: z.int().min(0).optional(),
  outputTokens: z.int().min(0).optional(),
  /** Per test case, in testData order; a repeated case also says how many of its runs passed. */
  cases: z.array(
    z.object({
      case: z.int().min(1),
      passed: z.boolean(),
      passes: z.int().min(0).optional(),
      repeat: z.int().min(1).optional(),
      minPasses: z.int().min(1).optional(),
      failed: z.array(z.string()).optional(),
    }),
  ),
});
export type EvalSummary = z.infer<typeof evalSummarySchema>;

const entryFields = {
  contentHash: z.string().regex(HASH, 'must be sha256: followed by 64 hex digits'),
  /** The prompt's explicit `version` field, or null. */
  version: z.string().nullable(),
  /** The path of the snapshot, relative to the repository root. */
  snapshot: z.string().min(1),
  /** The commit the promoted content came from. */
  commit: z.string().min(1),
  promotedBy: z.string().min(1),
  promotedAt: z.iso.datetime({ offset: true }),
  /** null when the gate was off (eval: false) or for a rollback. */
  eval: evalSummarySchema.nullable(),
  /** Set on a rollback: the content hash it replaced. */
  rollbackOf: z.string().regex(HASH).optional(),
};
export const historyEntrySchema = z.object(entryFields);
export const lockEntrySchema = z.object({ ...entryFields, previous: z.array(historyEntrySchema).max(100).default([]) });
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type LockEntry = z.infer<typeof lockEntrySchema>;

const channels = z.record(z.string(), lockEntrySchema).superRefine((value, ctx) => {
  for (const name of Object.keys(value)) {
    if (!CHANNEL.test(name))
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'is not a channel name: channel names are letters, digits, . _ - (at most 64)',
      });
  }
});
export const lockFileSchema = z.object({
  format: z.literal(LOCK_FORMAT),
  prompts: z.record(z.string().min(1), channels).default({}),
});
export type LockFile = z.infer<typeof lockFileSchema>;

export function emptyLock(): LockFile {
  return { format: LOCK_FORMAT, prompts: {} };
}

/** Parses lock-file text; every problem is a UserError naming the file and line. */
export function parseLock(text: string, file: string): LockFile {
  if (text.trim() === '') return emptyLock();
  const parsed = YamlSource.parse(text);
  if ('error' in parsed)
    throw problemsError(file, [
      { line: parsed.error.line, text: `the prompt lock file is not valid YAML: ${parsed.error.message}` },
    ]);
  const data = parsed.source.toJS();
  const result = lockFileSchema.safeParse(data);
  if (!result.success) {
    const lineOf = (path: DataPath) => parsed.source.lineOf(path);
    const problems = issueProblems(result.error.issues, data, lineOf).map((problem) => ({
      ...problem,
      text: `prompt lock: ${problem.text}`,
    }));
    throw problemsError(file, problems);
  }
  return result.data;
}

const HEADER = [
  '# Promoted prompt versions, per prompt file and channel (autostack promote-prompt).',
  '# Change it with `autostack promote` or the promote-prompt action, and review it like code:',
  '# run-prompt with `channel:` runs exactly the snapshot named here, checked against contentHash.',
].join('\n');

export function serializeLock(lock: LockFile): string {
  const sorted: LockFile = {
    format: LOCK_FORMAT,
    prompts: Object.fromEntries(
      Object.keys(lock.prompts)
        .sort()
        .map((key) => [key, lock.prompts[key] ?? {}]),
    ),
  };
  return `${HEADER}\n${stringify(sorted, { lineWidth: 0 })}`;
}

/** A prompt's key in the lock: its path relative to the repository root, with forward slashes. */
export function lockKey(promptFile: string, workspace: string): string {
  const absolute = isAbsolute(promptFile) ? promptFile : resolve(workspace, promptFile);
  const path = relative(workspace, absolute).split(sep).join('/');
  if (path === '' || path.startsWith('..') || isAbsolute(path)) {
    throw new UserError(
      `prompt file ${promptFile} is outside the repository (${workspace}); channels are kept for files inside it`,
    );
  }
  return path;
}

const PROMPT_EXTENSION = /(\.prompt\.ya?ml|\.ya?ml|\.md|\.markdown|\.txt)$/i;

export function snapshotPath(hash: string, promptPath: string): string {
  const extension = PROMPT_EXTENSION.exec(promptPath)?.[1]?.toLowerCase() ?? '.txt';
  return `${SNAPSHOT_DIRECTORY}/${hash.replace(/^sha256:/, '')}${extension}`;
}

export function versionLabelOf(entry: { version: string | null; contentHash: string }): string {
  return versionLabel(entry.version ?? undefined, entry.contentHash);
}

/**
 * Parses prompt text (a file's, or a snapshot's) as the prompt file `promptPath` would be parsed.
 * Errors name `where` (the snapshot, say); the definition's `file` is the prompt's own path so that
 * everything keyed by it (recordings beside the prompt) stays the same.
 */
export function definitionFromText(text: string, promptPath: string, where: string = promptPath): PromptDefinition {
  return { ...parsePromptText(text, promptPath, where), file: promptPath };
}

/** Checks snapshot text against the hash the lock recorded; a mismatch is never run. */
export function verifySnapshot(text: string, entry: { contentHash: string; snapshot: string }, context: string): void {
  const actual = contentHash(text);
  if (actual !== entry.contentHash) {
    throw new UserError(
      `${entry.snapshot}: hash mismatch for ${context}: the lock file records ${entry.contentHash} but the snapshot hashes to ${actual}. The snapshot was edited or replaced; restore it from git, or promote again.`,
      { file: entry.snapshot },
    );
  }
}

export function describeChannels(lock: LockFile, key: string): string {
  const channels = Object.keys(lock.prompts[key] ?? {});
  if (channels.length > 0) return `it has: ${channels.join(', ')}`;
  const others = Object.keys(lock.prompts);
  return others.length > 0
    ? `the lock has channels only for ${others.join(', ')}`
    : 'the lock file has no promotions yet';
}

export function readLockFile(workspace: string): { lock: LockFile; exists: boolean } {
  const path = resolve(workspace, LOCK_FILE);
  if (!existsSync(path)) return { lock: emptyLock(), exists: false };
  return { lock: parseLock(readFileSync(path, 'utf8'), LOCK_FILE), exists: true };
}

/**
 * What run-prompt runs for `prompt-file` + `channel`: the promoted snapshot from the lock file in
 * the workspace, checked against its hash. Nothing promoted, a missing snapshot, a corrupt lock or
 * a hash mismatch are errors that say what to do.
 */
export function loadPromotedPrompt(
  promptFile: string,
  channel: string,
  options: { cwd: string },
): { definition: PromptDefinition; entry: LockEntry } {
  if (!CHANNEL.test(channel))
    throw new UserError(`Input 'channel' must be letters, digits, . _ - (at most 64 characters) (got '${channel}')`);
  const key = lockKey(promptFile, options.cwd);
  const { lock, exists } = readLockFile(options.cwd);
  const entry = lock.prompts[key]?.[channel];
  if (!entry) {
    const why = exists ? describeChannels(lock, key) : `there is no ${LOCK_FILE}`;
    throw new UserError(
      `Nothing is promoted to channel '${channel}' for ${key} (${why}). Promote it first: autostack promote --prompt-file ${key} --channel ${channel}, or the promote-prompt action.`,
    );
  }
  const path = resolve(options.cwd, entry.snapshot);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(
      `${LOCK_FILE}: channel '${channel}' of ${key} names snapshot ${entry.snapshot}, which is missing. Commit the snapshot with the lock file, or promote again.`,
      { file: LOCK_FILE },
    );
  }
  verifySnapshot(text, entry, `${key} on channel '${channel}'`);
  return { definition: definitionFromText(text, key, entry.snapshot), entry };
}
