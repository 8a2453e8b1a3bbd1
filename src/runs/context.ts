import { randomBytes } from '../shared/light-random.js';
import { isoTime } from '../shared/iso-time.js';
import type { GitHubContext } from '../io/github-context.js';
import { Journal } from './journal.js';

// For journal-schema.ts (see there): the version is journal.ts's.
export { JOURNAL_VERSION } from './journal.js';

/** Environment variables record-run exports for every later step of the job. */
export const RUN_ENV = {
  runId: 'AUTOSTACK_RUN_ID',
  journal: 'AUTOSTACK_JOURNAL',
  name: 'AUTOSTACK_RUN_NAME',
} as const;

/** The run's GitHub facts as the run record keeps them. */
export interface RunGitHub {
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

export function runGitHub(github: GitHubContext): RunGitHub {
  const { repository, runId, runAttempt } = github;
  // Off a runner there is no repository, and no server worth naming either.
  const serverUrl = repository ? github.serverUrl : undefined;
  const runUrl =
    serverUrl && repository && runId
      ? `${serverUrl}/${repository}/actions/runs/${runId}${runAttempt ? `/attempts/${runAttempt}` : ''}`
      : undefined;
  return {
    repository,
    workflow: github.workflow,
    runId,
    runAttempt,
    job: github.job,
    sha: github.sha,
    ref: github.ref,
    eventName: github.eventName,
    actor: github.actor,
    serverUrl,
    runUrl,
  };
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;

/** What started the run: the event name plus the few payload fields worth keeping. */
export function readTrigger(github: GitHubContext): Record<string, unknown> {
  const trigger: Record<string, unknown> = { event: github.eventName ?? 'local' };
  const { payload } = github;
  if (typeof payload.action === 'string') trigger.action = payload.action;
  const sender = asRecord(payload.sender);
  if (typeof sender?.login === 'string') trigger.sender = sender.login;
  const issue = asRecord(payload.issue ?? payload.pull_request);
  if (typeof issue?.number === 'number') trigger.number = issue.number;
  if (typeof issue?.html_url === 'string') trigger.url = issue.html_url;
  if (typeof payload.schedule === 'string') trigger.schedule = payload.schedule;
  // An event emitted by autostack carries the run that caused it, so chains can be followed:
  // the envelope is client_payload.autostack (repository_dispatch) or the JSON input
  // autostack-event (workflow_dispatch). See src/events/envelope.ts.
  let event = asRecord(asRecord(payload.client_payload)?.autostack);
  const inputs = asRecord(payload.inputs);
  if (!event && typeof inputs?.['autostack-event'] === 'string') {
    try {
      event = asRecord(JSON.parse(inputs['autostack-event']));
    } catch {
      event = undefined;
    }
  }
  if (event) {
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
  const stamp = isoTime(now)
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
