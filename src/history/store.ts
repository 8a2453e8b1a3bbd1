import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The local run history: `runs sync` keeps one file per run record under `<dir>/records/`, plus
 * `sync-state.json`, what was already fetched per repository (so a second sync fetches only
 * what is new). Every write is atomic (temp file + rename): a killed sync never leaves half a
 * record, and a reader never sees one.
 */
export const DEFAULT_HISTORY_DIRECTORY = '.autostack/history';

/** What GitHub says about the workflow run a record came from (added by `runs sync`). */
export interface WorkflowRunInfo {
  id: number;
  attempt: number;
  event: string;
  htmlUrl: string;
  createdAt: string;
  conclusion: string | null;
  actor?: string | undefined;
  actorType?: string | undefined;
  triggeringActor?: string | undefined;
  triggeringActorType?: string | undefined;
  /** Longest time a job of the run waited for an environment approval. */
  approvalWaitMs?: number | undefined;
  approvals?: Array<{ user: string; state: string; environments: string[]; comment?: string | undefined }> | undefined;
  artifactId: number;
}

const repoStateSchema = z.object({
  /** Runs that were complete when fetched: never listed for artifacts again. */
  doneRuns: z.array(z.number()).default([]),
  fetchedArtifacts: z.array(z.number()).default([]),
  /** Oldest creation time of a run that was still in progress at the last sync. */
  resumeFrom: z.string().optional(),
  lastSync: z.string().optional(),
});
const syncStateSchema = z.object({ version: z.literal(1), repos: z.record(z.string(), repoStateSchema) });
export type RepoSyncState = z.infer<typeof repoStateSchema>;
export type SyncState = z.infer<typeof syncStateSchema>;

export function recordsDirectory(historyDir: string): string {
  return join(historyDir, 'records');
}

export function writeFileAtomic(path: string, content: string): void {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

export function readSyncState(historyDir: string): SyncState {
  const path = join(historyDir, 'sync-state.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, repos: {} };
    throw error;
  }
  const parsed = syncStateSchema.safeParse(JSON.parse(text));
  // A state file we cannot read only costs a full re-fetch, never a failed sync.
  return parsed.success ? parsed.data : { version: 1, repos: {} };
}

export function writeSyncState(historyDir: string, state: SyncState): void {
  mkdirSync(historyDir, { recursive: true });
  writeFileAtomic(join(historyDir, 'sync-state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** File name of a synced record: repository and GitHub run id keep it unique across repos. */
export function historyFileName(repository: string, runId: string): string {
  return `${repository.replace(/[^A-Za-z0-9._-]/g, '_')}__${runId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/** Every record file of the history and of the local runs directory (which may not exist). */
export function recordFiles(directories: string[]): string[] {
  const files: string[] = [];
  for (const directory of directories) {
    try {
      for (const name of readdirSync(directory)) if (name.endsWith('.json')) files.push(join(directory, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return files;
}
