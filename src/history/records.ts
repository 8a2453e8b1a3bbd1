import { readFileSync } from 'node:fs';
import { z } from 'zod';
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

const text = z.string();
const number = z.number();
/** A model call is summed into the dashboard; other event types (any version's) pass as they are. */
const storedEvent = z
  .object({ type: text })
  .loose()
  .check((ctx) => {
    if (ctx.value.type !== 'model.call') return;
    const call = z.object({ model: text, costUsd: number, inputTokens: number, outputTokens: number });
    if (!call.safeParse(ctx.value).success)
      ctx.issues.push({ code: 'custom', message: 'model.call event without model or numbers', input: ctx.value });
  });

/**
 * Every field the history reads must have the type it is read as: a record that passes is safe
 * to fold into the dashboard and `runs why`; anything else is reported as unreadable.
 */
const storedRunSchema = z
  .object({
    runId: text,
    name: text,
    status: text,
    startedAt: text,
    durationMs: z.unknown().transform((value) => (typeof value === 'number' ? value : 0)),
    steps: z
      .array(
        z
          .object({
            id: text,
            name: text,
            status: text,
            action: text.optional(),
            startedAt: text.optional(),
            durationMs: number.optional(),
            error: text.optional(),
            inputFingerprint: text.optional(),
          })
          .loose(),
      )
      .optional(),
    errors: z.array(z.object({ step: text.optional(), message: text }).loose()).optional(),
    events: z.array(storedEvent).optional(),
    interventions: z.array(text).optional(),
    totals: z.record(text, z.unknown()).optional(),
    trigger: z.record(text, z.unknown()).optional(),
    github: z.object({ runId: text.optional(), runUrl: text.optional() }).loose().optional(),
    workflowRun: z
      .object({
        id: number,
        attempt: number,
        event: text,
        htmlUrl: text,
        triggeringActor: text.optional(),
        triggeringActorType: text.optional(),
        actor: text.optional(),
        approvalWaitMs: number.optional(),
        approvals: z.array(z.object({ user: text, state: text, environments: z.array(text) }).loose()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** Parses one record file; undefined when it is not a run record (reported by the caller). */
export function readStoredRun(path: string): StoredRun | undefined {
  try {
    const parsed = storedRunSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) return undefined;
    const totals = parsed.data.totals;
    // Totals are summed: a field that is not a number counts as 0 rather than poisoning the sum.
    const numbers = totals
      ? Object.fromEntries(Object.entries(totals).map(([key, value]) => [key, typeof value === 'number' ? value : 0]))
      : undefined;
    return { ...parsed.data, ...(numbers ? { totals: numbers } : {}) } as StoredRun;
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
