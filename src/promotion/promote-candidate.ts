// Reading the prompt lock for promote-prompt: the channel's current state, its snapshots, and the
// candidate to promote (the file, a known version, a git ref, or the previous version for a
// rollback). Split out of promote.ts to keep that file under the size limit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PromptDefinition } from '../prompts/types.js';
import { UserError } from '../shared/errors.js';
import { gitHead, type LockView } from './local-repo.js';
import {
  definitionFromText,
  LOCK_FILE,
  parseLock,
  verifySnapshot,
  versionLabelOf,
  type HistoryEntry,
  type LockEntry,
  type LockFile,
} from '../prompts/lock.js';
import type { PromoteSpec } from './promote.js';

export function stripHistory(entry: LockEntry): HistoryEntry {
  const { previous: _previous, ...rest } = entry;
  return rest;
}

export interface Candidate {
  text: string;
  definition: PromptDefinition;
  commit: string;
  /** How the candidate was chosen, for the report. */
  source: string;
}

async function snapshotText(view: LockView, entry: HistoryEntry, context: string): Promise<string> {
  const text = await view.read(entry.snapshot);
  if (text === undefined) {
    throw new UserError(
      `${LOCK_FILE} (${view.describe}): ${context} names snapshot ${entry.snapshot}, which is missing there. Restore it from git history, or promote again.`,
      { file: LOCK_FILE },
    );
  }
  verifySnapshot(text, entry, context);
  return text;
}

/** Every version the lock knows for this prompt, newest first per channel. */
function knownEntries(lock: LockFile, key: string): Array<{ channel: string; entry: HistoryEntry }> {
  const out: Array<{ channel: string; entry: HistoryEntry }> = [];
  for (const [channel, entry] of Object.entries(lock.prompts[key] ?? {})) {
    out.push({ channel, entry: stripHistory(entry) });
    for (const older of entry.previous) out.push({ channel, entry: older });
  }
  return out;
}

export async function resolveCandidate(
  spec: PromoteSpec,
  key: string,
  lock: LockFile,
  view: LockView,
): Promise<Candidate> {
  const fileText = (): string => {
    try {
      return readFileSync(resolve(spec.workspace, spec.promptFile), 'utf8');
    } catch (error) {
      throw new UserError(
        `Input 'prompt-file': cannot read ${spec.promptFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  const commit = spec.sha ?? gitHead(spec.workspace) ?? 'unknown';
  const wanted = spec.version?.trim();
  if (!wanted) {
    const text = fileText();
    return {
      text,
      definition: definitionFromText(text, key, spec.promptFile),
      commit,
      source: `${key} at ${commit.slice(0, 12)}`,
    };
  }
  const channelEntry = lock.prompts[key]?.[wanted];
  const isHashPrefix = /^sha256:[0-9a-f]{7,64}$/.test(wanted);
  const known = knownEntries(lock, key);
  const byLock =
    channelEntry ??
    known.find(({ entry }) => entry.contentHash === wanted || (isHashPrefix && entry.contentHash.startsWith(wanted)))
      ?.entry ??
    known.find(({ entry }) => entry.version === wanted)?.entry;
  if (byLock) {
    const text = await snapshotText(view, byLock, `version ${versionLabelOf(byLock)} of ${key}`);
    return {
      text,
      definition: definitionFromText(text, key, byLock.snapshot),
      commit: byLock.commit,
      source: channelEntry ? `channel '${wanted}' (${versionLabelOf(byLock)})` : `snapshot ${byLock.snapshot}`,
    };
  }
  const text = fileText();
  const definition = definitionFromText(text, key, spec.promptFile);
  if (
    definition.version === wanted ||
    definition.contentHash === wanted ||
    (isHashPrefix && definition.contentHash.startsWith(wanted))
  ) {
    return { text, definition, commit, source: `${key} at ${commit.slice(0, 12)}` };
  }
  // Last: a git ref (commit sha or branch) holding the prompt file.
  const atRef = await view.readAt(key, wanted);
  if (atRef) {
    return {
      text: atRef.text,
      definition: definitionFromText(atRef.text, key, `${key}@${wanted}`),
      commit: atRef.commit,
      source: `${key} at ${wanted}`,
    };
  }
  const labels = [...new Set([definition.versionLabel, ...known.map(({ entry }) => versionLabelOf(entry))])];
  throw new UserError(
    `Input 'version' is '${wanted}', which is neither a channel of ${key}, a version in ${LOCK_FILE}, the file's current version, nor a git commit or branch holding ${key}. Known versions: ${labels.join(', ')}. Leave it empty to promote the file as it is.`,
    { file: spec.promptFile },
  );
}

/** The lock as it stands on the channel: what is promoted now, and its text. */
export interface ChannelState {
  lock: LockFile;
  current: LockEntry | undefined;
  currentText: string | undefined;
  currentDefinition: PromptDefinition | undefined;
  previousVersion: string;
}

export async function readChannelState(view: LockView, spec: PromoteSpec, key: string): Promise<ChannelState> {
  const lockText = await view.read(LOCK_FILE);
  const lock =
    lockText === undefined
      ? parseLock('', LOCK_FILE)
      : parseLock(lockText, spec.mode === 'local' ? LOCK_FILE : `${LOCK_FILE} (${view.describe})`);
  const current = lock.prompts[key]?.[spec.channel];
  const currentText = current ? await snapshotText(view, current, `${key} on channel '${spec.channel}'`) : undefined;
  const currentDefinition =
    current && currentText !== undefined ? definitionFromText(currentText, key, current.snapshot) : undefined;
  return { lock, current, currentText, currentDefinition, previousVersion: current ? versionLabelOf(current) : '' };
}

export async function rollbackCandidate(
  view: LockView,
  state: ChannelState,
  key: string,
  channel: string,
): Promise<Candidate> {
  const { current } = state;
  const target = current?.previous[0];
  if (!current || !target) {
    throw new UserError(
      `Nothing to roll back: channel '${channel}' of ${key} ${current ? 'has no previous version' : 'has nothing promoted'} in ${LOCK_FILE} (${view.describe}).`,
    );
  }
  const text = await snapshotText(view, target, `previous version ${versionLabelOf(target)} of ${key} on '${channel}'`);
  return {
    text,
    definition: definitionFromText(text, key, target.snapshot),
    commit: target.commit,
    source: `rollback of '${channel}' to ${versionLabelOf(target)}`,
  };
}
