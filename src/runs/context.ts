import { randomBytes } from '../shared/light-random.js';
import { readFileSync } from 'node:fs';
import { Journal } from './journal.js';

/** Environment variables record-run exports for every later step of the job. */
export const RUN_ENV = {
  runId: 'AUTOSTACK_RUN_ID',
  journal: 'AUTOSTACK_JOURNAL',
  name: 'AUTOSTACK_RUN_NAME',
} as const;

export interface GitHubContext {
  repository?: string | undefined;
  workflow?: string | undefined;
  runId?: string | undefined;
  runAttempt?: string | undefined;
  job?: string | undefined;
  sha?: string | undefined;
  ref?: string | undefined;
  eventName?: string | undefined;
  actor?: string | undefined;
  serverUrl?: string | undefined;
  runUrl?: string | undefined;
}

export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const serverUrl = env.GITHUB_SERVER_URL;
  const runUrl =
    serverUrl && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${serverUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`
      : undefined;
  return {
    repository: env.GITHUB_REPOSITORY,
    workflow: env.GITHUB_WORKFLOW,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    job: env.GITHUB_JOB,
    sha: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    eventName: env.GITHUB_EVENT_NAME,
    actor: env.GITHUB_ACTOR,
    serverUrl,
    runUrl,
  };
}

/** What started the run: the event name plus the few payload fields worth keeping. */
export function readTrigger(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const trigger: Record<string, unknown> = { event: env.GITHUB_EVENT_NAME ?? 'local' };
  if (!env.GITHUB_EVENT_PATH) return trigger;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    return trigger;
  }
  if (typeof payload.action === 'string') trigger.action = payload.action;
  const sender = payload.sender as { login?: unknown } | undefined;
  if (typeof sender?.login === 'string') trigger.sender = sender.login;
  const issue = (payload.issue ?? payload.pull_request) as { number?: unknown; html_url?: unknown } | undefined;
  if (typeof issue?.number === 'number') trigger.number = issue.number;
  if (typeof issue?.html_url === 'string') trigger.url = issue.html_url;
  if (typeof payload.schedule === 'string') trigger.schedule = payload.schedule;
  // An event emitted by autostack carries the run that caused it, so chains can be followed:
  // the envelope is client_payload.autostack (repository_dispatch) or the JSON input
  // autostack-event (workflow_dispatch). See src/events/envelope.ts.
  const clientPayload = payload.client_payload as { autostack?: unknown } | undefined;
  let event = clientPayload?.autostack as Record<string, unknown> | undefined;
  const inputs = payload.inputs as Record<string, unknown> | undefined;
  if (!event && typeof inputs?.['autostack-event'] === 'string') {
    try {
      event = JSON.parse(inputs['autostack-event']) as Record<string, unknown>;
    } catch {
      event = undefined;
    }
  }
  if (event && typeof event === 'object') {
    if (typeof event.id === 'string') trigger.eventId = event.id;
    if (typeof event.type === 'string') trigger.eventType = event.type;
    if (typeof event.autostackrunid === 'string') trigger.parentRunId = event.autostackrunid;
    if (typeof event.autostackhop === 'number') trigger.hop = event.autostackhop;
    if (typeof event.traceparent === 'string') trigger.traceparent = event.traceparent;
  }
  if (typeof payload.event_type === 'string' || typeof payload.action === 'string') {
    trigger.type = payload.event_type ?? payload.action;
  }
  return trigger;
}

/** Time-sortable and unique across parallel jobs: UTC timestamp plus 48 random bits. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(6).toString('hex')}`;
}

/** The journal of the run this process belongs to, if record-run started one. */
export function currentJournal(env: NodeJS.ProcessEnv = process.env): Journal | undefined {
  const path = env[RUN_ENV.journal];
  const runId = env[RUN_ENV.runId];
  if (!path || !runId) return undefined;
  return new Journal(path, runId);
}
