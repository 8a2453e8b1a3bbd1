import { readFileSync } from 'node:fs';
import type { RecordStep, RunRecord } from '../runs/record.js';
import type { WorkflowRunInfo } from './store.js';

/** A run record as read back from the history: any version may lack a field, so all are optional. */
export type StoredRun = Partial<Omit<RunRecord, 'steps'>> & {
  runId: string;
  name: string;
  status: string;
  startedAt: string;
  durationMs: number;
  steps?: RecordStep[] | undefined;
  workflowRun?: WorkflowRunInfo | undefined;
};

type Check = (value: unknown) => boolean;
const isString: Check = (value) => typeof value === 'string';
const isNumber: Check = (value) => typeof value === 'number';
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value);
const arrayOf =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(check);
const shape =
  (fields: Record<string, Check>): Check =>
  (value) =>
    isObject(value) && Object.entries(fields).every(([key, check]) => check(value[key]));

/** A model call is summed into the dashboard; other event types (any version's) pass as they are. */
const modelCall = shape({ model: isString, costUsd: isNumber, inputTokens: isNumber, outputTokens: isNumber });
const event: Check = (value) =>
  isObject(value) && isString(value.type) && (value.type !== 'model.call' || modelCall(value));

/**
 * Every field the history reads must have the type it is read as, so a record that passes is
 * safe to fold into the dashboard and `runs why`; anything else is unreadable (reported). Plain
 * checks rather than a schema: the dashboard reads 100,000 records and a schema copies each.
 */
const storedRun = shape({
  runId: isString,
  name: isString,
  status: isString,
  startedAt: isString,
  steps: optional(
    arrayOf(
      shape({
        id: isString,
        name: isString,
        status: isString,
        action: optional(isString),
        startedAt: optional(isString),
        durationMs: optional(isNumber),
        error: optional(isString),
        inputFingerprint: optional(isString),
      }),
    ),
  ),
  errors: optional(arrayOf(shape({ step: optional(isString), message: isString }))),
  events: optional(arrayOf(event)),
  interventions: optional(arrayOf(isString)),
  totals: optional(isObject),
  trigger: optional(isObject),
  github: optional(shape({ runId: optional(isString), runUrl: optional(isString) })),
  workflowRun: optional(
    shape({
      id: isNumber,
      attempt: isNumber,
      event: isString,
      htmlUrl: isString,
      actor: optional(isString),
      triggeringActor: optional(isString),
      triggeringActorType: optional(isString),
      approvalWaitMs: optional(isNumber),
      approvals: optional(arrayOf(shape({ user: isString, state: isString, environments: arrayOf(isString) }))),
    }),
  ),
});

/** Parses one record file; undefined when it is not a run record (reported by the caller). */
export function readStoredRun(path: string): StoredRun | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isObject(value) || !storedRun(value)) return undefined;
    // In place, not a copy: the dashboard reads 100,000 of these and a copy doubles the garbage.
    if (typeof value.durationMs !== 'number') value.durationMs = 0;
    // Totals are summed: a field that is not a number counts as 0 rather than poisoning the sum.
    if (isObject(value.totals))
      for (const [key, total] of Object.entries(value.totals)) if (!isNumber(total)) value.totals[key] = 0;
    return value as StoredRun;
  } catch {
    return undefined;
  }
}

/** Where a person can open the run on GitHub. */
export function runUrl(run: StoredRun): string | undefined {
  return run.workflowRun?.htmlUrl ?? run.github?.runUrl;
}

/** The prompt version a run used: run-prompt logs it with `data.promptVersion`. */
export function promptVersions(run: StoredRun): string[] {
  const versions = new Set<string>();
  for (const event of run.events ?? []) {
    if (event.type !== 'log' || typeof event.data !== 'object' || event.data === null) continue;
    const version = (event.data as { promptVersion?: unknown }).promptVersion;
    if (typeof version === 'string') versions.add(version);
  }
  return [...versions];
}

/**
 * Why a person had to step in, from the record and from what GitHub showed at sync time:
 * a re-run, a manual dispatch by a person, an environment approval, `autostack log --intervention`.
 */
export function interventionsOf(run: StoredRun): string[] {
  const found = new Set(run.interventions ?? []);
  const info = run.workflowRun;
  if (info) {
    if (info.attempt > 1)
      found.add(`${info.triggeringActor ?? 'someone'}: re-ran the workflow (attempt ${info.attempt})`);
    if (
      info.event === 'workflow_dispatch' &&
      info.triggeringActorType !== 'Bot' &&
      !(info.triggeringActor ?? '').endsWith('[bot]')
    ) {
      found.add(`${info.triggeringActor ?? info.actor ?? 'someone'}: started the run by hand (workflow_dispatch)`);
    }
    for (const approval of info.approvals ?? []) {
      const wait =
        info.approvalWaitMs !== undefined ? ` after ${Math.round(info.approvalWaitMs / 1000)} s waiting` : '';
      found.add(`${approval.user}: ${approval.state} environment ${approval.environments.join(', ')}${wait}`);
    }
  }
  // The record's own entry for a manual dispatch by the GITHUB_TOKEN bot (an autostack dispatch
  // chain) is not a person stepping in.
  return [...found].filter((entry) => !/^[^:]*\[bot\]: started the run by hand/.test(entry));
}
