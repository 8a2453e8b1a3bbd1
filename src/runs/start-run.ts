import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StepIo } from '../io/io.js';
import type { GitHubContext } from '../io/github-context.js';
import { isoTime } from '../shared/iso-time.js';
import { newRunId, readTrigger, runGitHub, RUN_ENV } from './context.js';
import { Journal } from './journal.js';
import { ensureWritableDirectory } from './store.js';

/** record-run's export settings (inputs win over the OTEL_EXPORTER_OTLP_* variables). */
export interface TelemetryInputs {
  otlpEndpoint?: string | undefined;
  otlpHeaders?: string | undefined;
  otlpProtocol?: string | undefined;
  lokiUrl?: string | undefined;
  lokiHeaders?: string | undefined;
}

export interface RecordRunOptions {
  name: string;
  artifact: boolean;
  retentionDays: number;
  summary: boolean;
  directory: string;
  githubToken?: string | undefined;
  /** OTLP / Loki endpoints from inputs; the OTEL_EXPORTER_OTLP_* variables apply too. */
  telemetry?: TelemetryInputs | undefined;
}

export interface StartedRun {
  runId: string;
  journalPath: string;
  startedAt: string;
}

export const RUN_STATE = { runId: 'run-id', journal: 'journal', startedAt: 'started-at', name: 'name' } as const;

/**
 * Where journals live off a runner: the per-user state directory (XDG Base Directory spec), not
 * a shared /tmp path another user could read or pre-create. On a runner, RUNNER_TEMP is used.
 */
export function userStateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/')
      ? env.XDG_STATE_HOME
      : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'autostack');
}

/** Main step: a run ID, a journal, and the variables that let later steps append to it. */
export function startRun(
  options: RecordRunOptions,
  io: StepIo,
  github: GitHubContext,
  env: NodeJS.ProcessEnv = process.env,
): StartedRun {
  ensureWritableDirectory(options.directory, 'directory');
  if (env[RUN_ENV.runId]) {
    io.warning(
      `A run (${env[RUN_ENV.runId]}) is already being recorded in this job; starting a new one replaces it for later steps.`,
    );
  }
  const started = new Date();
  const startedAt = isoTime(started);
  const runId = newRunId(started);
  const journalPath = join(
    env.RUNNER_TEMP ? join(env.RUNNER_TEMP, 'autostack') : join(userStateDirectory(env), 'journals'),
    runId,
    'journal.jsonl',
  );
  const journal = new Journal(journalPath, runId, () => started);
  journal.append({
    type: 'run.started',
    name: options.name,
    github: { ...runGitHub(github) },
    trigger: readTrigger(github),
  });

  io.exportVariables([
    [RUN_ENV.runId, runId],
    [RUN_ENV.journal, journalPath],
    [RUN_ENV.name, options.name],
  ]);
  io.saveStates([
    [RUN_STATE.runId, runId],
    [RUN_STATE.journal, journalPath],
    [RUN_STATE.startedAt, startedAt],
    [RUN_STATE.name, options.name],
  ]);
  io.setOutputs([
    ['run-id', runId],
    ['journal', journalPath],
  ]);
  io.info(`autostack run ${runId} started; journal ${journalPath}`);
  return { runId, journalPath, startedAt };
}
