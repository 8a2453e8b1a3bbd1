import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StepIo } from '../io/io.js';
import { redact } from '../shared/redact.js';
import { createGitHubClient } from '../github/client.js';
import { readCurrentJobSteps } from '../github/jobs.js';
import { errorMessage } from '../shared/errors.js';
import { onActionsRunner, uploadFilesAsArtifact } from './artifact.js';
import { readGitHubContext, readTrigger } from './context.js';
import { readJournal } from './journal.js';
import { foldRecord, type JobStep, type RunRecord } from './record.js';
import { artifactName, RECORD_FILE_NAME, serializeRecord, writeLocalRecord } from './store.js';
import { type RecordRunOptions, RUN_STATE } from './start-run.js';
import { renderSummary } from './summary.js';
import { readTelemetryConfig, telemetryWanted } from '../telemetry/config.js';

export interface FinishedRun {
  record: RunRecord;
  localPath: string;
  artifactId?: number | undefined;
}

/**
 * Post step: fold the journal (and GitHub's view of the job, when a token allows) into the run
 * record, then write it everywhere it belongs. Runs on success, failure and cancellation.
 */
export async function finishRun(options: RecordRunOptions, io: StepIo, env: NodeJS.ProcessEnv = process.env): Promise<FinishedRun | undefined> {
  const runId = io.getState(RUN_STATE.runId);
  if (!runId) {
    io.info('record-run: the main step did not start a run, so there is nothing to record.');
    return undefined;
  }
  const journalPath = io.getState(RUN_STATE.journal);
  const { events, corrupt } = readJournal(journalPath);
  if (corrupt.length > 0) {
    io.warning(`record-run: ${corrupt.length} journal line(s) in ${journalPath} are not valid events (lines ${corrupt.map((line) => line.line).join(', ')}); kept in the record as corrupt.`);
  }
  const github = readGitHubContext(env);
  const jobSteps = await readJobSteps(options, io, env);
  const record = foldRecord({
    runId,
    name: io.getState(RUN_STATE.name) || options.name,
    journalPath,
    events,
    corrupt,
    github,
    trigger: events.find((event) => event.type === 'run.started')?.trigger ?? readTrigger(env),
    startedAt: io.getState(RUN_STATE.startedAt) || new Date().toISOString(),
    endedAt: new Date().toISOString(),
    jobSteps,
  });
  const bytes = serializeRecord(record);
  // Local first: whatever happens to the upload, the record exists somewhere.
  const localPath = writeLocalRecord(options.directory, runId, bytes);
  io.info(`record-run: run record written to ${localPath}`);

  let artifactId: number | undefined;
  let artifactNote: string | undefined;
  if (options.artifact && onActionsRunner(env)) {
    try {
      const uploaded = await uploadFilesAsArtifact(artifactName(runId), { [RECORD_FILE_NAME]: bytes, ...runDirectoryExtras(journalPath) }, options.retentionDays);
      artifactId = uploaded.id;
      artifactNote = `Run record: artifact \`${artifactName(runId)}\` (kept ${options.retentionDays} days).`;
      io.info(`record-run: uploaded artifact ${artifactName(runId)} (id ${uploaded.id ?? '?'})`);
    } catch (error) {
      io.warning(`record-run: could not upload the run record as an artifact (${errorMessage(error)}); it is kept at ${localPath}.`);
      artifactNote = `Run record could not be uploaded; it is at \`${localPath}\` on the runner.`;
    }
  } else if (options.artifact) {
    io.info('record-run: not on a GitHub runner (no ACTIONS_RUNTIME_TOKEN), so the record stays local.');
  }
  if (options.summary) {
    try {
      await io.appendSummary(renderSummary(record, artifactNote));
    } catch (error) {
      io.warning(`record-run: could not write the job summary: ${errorMessage(error)}`);
    }
  }
  await exportIfConfigured(record, options, io, env);
  return { record, localPath, artifactId };
}

/**
 * OTLP / Loki export. The encoders and senders are imported only when an endpoint is set, so a
 * run without an exporter loads none of it; a failure is a warning, never a failed run.
 */
async function exportIfConfigured(record: RunRecord, options: RecordRunOptions, io: StepIo, env: NodeJS.ProcessEnv): Promise<void> {
  const telemetry = readTelemetryConfig(env, options.telemetry);
  if (!telemetryWanted(telemetry)) return;
  try {
    const { exportTelemetry } = await import('../telemetry/export.js');
    await exportTelemetry(record, telemetry, io);
  } catch (error) {
    io.warning(`record-run: telemetry export failed: ${errorMessage(error)}; the run is unaffected.`);
  }
}

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

async function readJobSteps(options: RecordRunOptions, io: StepIo, env: NodeJS.ProcessEnv): Promise<JobStep[] | undefined> {
  if (!options.githubToken || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  const client = createGitHubClient({ token: options.githubToken, baseUrl: env.GITHUB_API_URL, log: io, retries: 2 });
  const result = await readCurrentJobSteps(client, {
    repository: env.GITHUB_REPOSITORY,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    runnerName: env.RUNNER_NAME,
  });
  if ('problem' in result) {
    io.info(`record-run: step outcomes come from the journal only: ${result.problem}`);
    return undefined;
  }
  return result.steps;
}
