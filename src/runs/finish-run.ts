import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StepIo } from '../io/io.js';
import { redact } from '../shared/redact.js';
import type { JobStep } from '../github/jobs.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { isoTime } from '../shared/iso-time.js';
import type { Ports } from '../ports/ports.js';
import type { GitHubContext } from '../io/github-context.js';
import { readTrigger, runGitHub } from './context.js';
import { readJournal } from './journal-read.js';
import { foldRecord, type RunRecord } from './record.js';
import { artifactName, RECORD_FILE_NAME, serializeRecord, writeLocalRecord } from './store.js';
import { type RecordRunOptions, RUN_STATE } from './start-run.js';
import { renderSummary } from './summary.js';

export interface FinishedRun {
  record: RunRecord;
  localPath: string;
  artifactId?: number | undefined;
}

/**
 * Post step: fold the journal (and GitHub's view of the job, when a token allows) into the run
 * record, then write it everywhere it belongs. Runs on success, failure and cancellation.
 */
export async function finishRun(
  options: RecordRunOptions,
  io: StepIo,
  ports: Ports,
  github: GitHubContext,
  env: NodeJS.ProcessEnv = process.env,
  /** Runs once the record is kept: the composition root exports it (telemetry) from here. */
  afterRecord?: (record: RunRecord) => Promise<void>,
): Promise<FinishedRun | undefined> {
  const runId = io.getState(RUN_STATE.runId);
  if (!runId) {
    io.info('record-run: the main step did not start a run, so there is nothing to record.');
    return undefined;
  }
  const { record, journalPath } = await buildRecord(runId, options, io, ports, github, env);
  const bytes = serializeRecord(record);
  const { localPath, localFailure } = keepLocalRecord(options, runId, bytes, io);
  const { artifactId, artifactNote } = await uploadRecord(options, runId, bytes, journalPath, localPath, io, ports);
  const summarized = await summarizeRecord(options, record, artifactNote, io);
  await afterRecord?.(record);
  if (localFailure && artifactId === undefined) {
    if (!summarized)
      throw new UserError(
        `record-run: the run record could not be kept anywhere: writing ${options.directory} failed (${localFailure}) and no artifact was uploaded. Free disk space or choose a writable 'directory'.`,
      );
    io.warning('record-run: the run record exists only in the job summary of this run.');
  }
  return { record, localPath, artifactId };
}

/** Reads the journal (warning about corrupt lines) and folds it with the job's steps into the record. */
async function buildRecord(
  runId: string,
  options: RecordRunOptions,
  io: StepIo,
  ports: Ports,
  github: GitHubContext,
  env: NodeJS.ProcessEnv,
): Promise<{ record: RunRecord; journalPath: string }> {
  const journalPath = io.getState(RUN_STATE.journal);
  const { events, corrupt } = await readJournal(journalPath);
  if (corrupt.length > 0) {
    io.warning(
      `record-run: ${corrupt.length} journal line(s) in ${journalPath} are not valid events (lines ${corrupt.map((line) => line.line).join(', ')}); kept in the record as corrupt.`,
    );
  }
  const jobSteps = await readJobSteps(options, io, ports, github, env.RUNNER_NAME);
  const record = foldRecord({
    runId,
    name: io.getState(RUN_STATE.name) || options.name,
    journalPath,
    events,
    corrupt,
    github: runGitHub(github),
    trigger: events.find((event) => event.type === 'run.started')?.trigger ?? readTrigger(github),
    startedAt: io.getState(RUN_STATE.startedAt) || isoTime(),
    endedAt: isoTime(),
    jobSteps,
  });
  return { record, journalPath };
}

/**
 * Local first: whatever happens to the upload, the record exists somewhere. A full or
 * read-only disk costs the local copy only: the artifact and the summary still carry the run,
 * and the step fails only when no copy could be kept anywhere.
 */
function keepLocalRecord(
  options: RecordRunOptions,
  runId: string,
  bytes: string,
  io: StepIo,
): { localPath: string; localFailure: string | undefined } {
  let localPath = '';
  let localFailure: string | undefined;
  try {
    localPath = writeLocalRecord(options.directory, runId, bytes);
    io.info(`record-run: run record written to ${localPath}`);
  } catch (error) {
    // Node's fs messages already start with the code ("ENOSPC: no space left on device, write").
    const code = (error as NodeJS.ErrnoException).code;
    const message = errorMessage(error).split('\n')[0] ?? '';
    localFailure = code && !message.startsWith(code) ? `${code}: ${message}` : message;
    io.warning(
      `record-run: could not write the run record to ${options.directory} (${localFailure}); keeping it in the artifact and the job summary instead.`,
    );
  }
  return { localPath, localFailure };
}

/** Uploads the record (plus run-directory extras) as an artifact; a failure is only a warning. */
async function uploadRecord(
  options: RecordRunOptions,
  runId: string,
  bytes: string,
  journalPath: string,
  localPath: string,
  io: StepIo,
  ports: Ports,
): Promise<{ artifactId: number | undefined; artifactNote: string | undefined }> {
  let artifactId: number | undefined;
  let artifactNote: string | undefined;
  if (options.artifact && ports.artifacts) {
    try {
      const uploaded = await ports.artifacts.upload(
        artifactName(runId),
        { [RECORD_FILE_NAME]: bytes, ...runDirectoryExtras(journalPath) },
        options.retentionDays,
      );
      artifactId = uploaded.id;
      artifactNote = `Run record: artifact \`${artifactName(runId)}\` (kept ${options.retentionDays} days).`;
      io.info(`record-run: uploaded artifact ${artifactName(runId)} (id ${uploaded.id ?? '?'})`);
    } catch (error) {
      io.warning(
        `record-run: could not upload the run record as an artifact (${errorMessage(error)})${localPath ? `; it is kept at ${localPath}` : ''}.`,
      );
      artifactNote = localPath
        ? `Run record could not be uploaded; it is at \`${localPath}\` on the runner.`
        : 'Run record could not be uploaded or written; its summary is below.';
    }
  } else if (options.artifact) {
    io.info('record-run: not on a GitHub runner (no ACTIONS_RUNTIME_TOKEN), so the record stays local.');
  }
  return { artifactId, artifactNote };
}

/** Appends the job summary when asked; returns whether it was written. */
async function summarizeRecord(
  options: RecordRunOptions,
  record: RunRecord,
  artifactNote: string | undefined,
  io: StepIo,
): Promise<boolean> {
  if (!options.summary) return false;
  try {
    await io.appendSummary(renderSummary(record, artifactNote));
    return true;
  } catch (error) {
    io.warning(`record-run: could not write the job summary: ${errorMessage(error)}`);
    return false;
  }
}

/**
 * OTLP / Loki export. The encoders and senders are imported only when an endpoint is set, so a
 * run without an exporter loads none of it; a failure is a warning, never a failed run.
 */

/**
 * Files other steps leave beside the journal for the artifact: emit-event's `outbox.jsonl`
 * (events that could not be delivered, kept for the next attempt).
 */
function runDirectoryExtras(journalPath: string): Record<string, string> {
  const extras: Record<string, string> = {};
  try {
    extras['outbox.jsonl'] = redact(readFileSync(join(dirname(journalPath), 'outbox.jsonl'), 'utf8'));
  } catch {
    // No outbox: nothing was left undelivered.
  }
  return extras;
}

async function readJobSteps(
  options: RecordRunOptions,
  io: StepIo,
  ports: Ports,
  github: GitHubContext,
  runnerName: string | undefined,
): Promise<JobStep[] | undefined> {
  const { repository, runId } = github;
  if (!options.githubToken || !repository || !runId) return undefined;
  // Loaded only with a token: a post step without one reads no GitHub API and loads none of it.
  const { readCurrentJobSteps } = await import('../github/jobs.js');
  const client = await ports.github({ token: options.githubToken, apiUrl: github.apiUrl, retries: 2 }, io);
  const result = await readCurrentJobSteps(client, {
    repository,
    runId,
    runAttempt: github.runAttempt ?? '1',
    runnerName,
  });
  if ('problem' in result) {
    io.info(`record-run: step outcomes come from the journal only: ${result.problem}`);
    return undefined;
  }
  return result.steps;
}
