// A workflow run: up-front checks, then its jobs — every job starts as soon as the jobs it needs
// have finished, so independent jobs run at the same time (bounded by the session's job slots),
// each writing to its own lane of the console.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMapping, isString } from '@actions/workflow-parser';
import { UserError } from '../shared/errors.js';
import { resolveAction, resolveReusableWorkflow } from './actions.js';
import { eventFacts, githubContext } from './contexts.js';
import { evaluateString, type Json } from './expressions.js';
import { runJob } from './job.js';
import { Lanes } from './lanes.js';
import { field, type JobPlan, loadWorkflow, type LoadedWorkflow, locate } from './load.js';
import type { Conclusion, Reporter } from './reporter.js';
import type { Session } from './session.js';
import type { JobResult, RunScope, WorkflowRunResult } from './types.js';

export interface Trigger {
  eventName: string;
  payload: Json;
  inputs: Record<string, Json>;
  secrets: Record<string, string>;
  onlyJob?: string | undefined;
  triggeredBy?: string;
  runId?: number;
  call?: { parent: RunScope; jobId: string };
  /** Where a called workflow writes (its caller job's lane). */
  reporter?: Reporter;
}

function openScope(session: Session, workflow: LoadedWorkflow, trigger: Trigger): RunScope {
  const parent = trigger.call?.parent;
  const runId = parent?.runId ?? trigger.runId ?? session.nextRunId++;
  if (!parent) session.runNumber++;
  let eventPath = parent?.eventPath;
  if (!eventPath) {
    eventPath = join(session.root, `event-${runId}.json`);
    writeFileSync(eventPath, JSON.stringify(trigger.payload, null, 2));
  }
  if (!parent) session.currentPayload = trigger.payload;
  return {
    workflow,
    eventName: trigger.eventName,
    payload: trigger.payload,
    eventPath,
    inputs: trigger.inputs,
    secrets: trigger.secrets,
    runId,
    runNumber: session.runNumber,
    depth: parent ? parent.depth + 1 : 0,
    facts: parent?.facts ?? eventFacts(session, trigger.eventName, trigger.payload),
    reporter: trigger.reporter ?? session.reporter,
    jobs: new Map(),
    records: [],
    prefix: trigger.call ? `${parent?.prefix ?? ''}${trigger.call.jobId} / ` : '',
    ...(parent ? { callerWorkflow: parent.workflow } : {}),
  };
}

/** The run's title as GitHub shows it: `run-name:` evaluated with the github and inputs contexts, else the name. */
function runTitle(session: Session, workflow: LoadedWorkflow, scope: RunScope): string {
  const token = field(workflow.root, 'run-name');
  if (!token) return workflow.name;
  const contexts = { github: githubContext(session, workflow, scope), inputs: scope.inputs, vars: {} };
  return evaluateString(token, { contexts, where: locate(workflow.display, token) }) || workflow.name;
}

export async function runWorkflow(
  session: Session,
  workflow: LoadedWorkflow,
  trigger: Trigger,
): Promise<WorkflowRunResult> {
  await preflight(session, workflow, new Set());
  const started = Date.now();
  const scope = openScope(session, workflow, trigger);
  const view = trigger.call ? undefined : session.dispatchedRuns.get(scope.runId);
  // What a parent waiting on this run matches its correlation id against, as on GitHub.
  if (view) view.displayTitle = runTitle(session, workflow, scope);
  const payload = trigger.payload;
  const action =
    payload && typeof payload === 'object' && !Array.isArray(payload) && typeof payload.action === 'string'
      ? payload.action
      : undefined;
  scope.reporter.workflowStart(
    workflow.name,
    workflow.display,
    `${trigger.eventName}${action ? `.${action}` : ''}`,
    trigger.triggeredBy ?? (trigger.call ? `called by job ${trigger.call.jobId}` : undefined),
    scope.depth,
  );
  for (const note of localNotes(workflow)) scope.reporter.note(note, scope.depth);
  const order = topologicalOrder(selectJobs(scope.reporter, workflow, trigger.onlyJob));
  await runJobs(session, scope, order);
  const jobs = order.map((plan) => scope.jobs.get(plan.id)).filter((job): job is JobResult => job !== undefined);
  const conclusion: Conclusion = session.cancelled
    ? 'cancelled'
    : jobs.some((job) => job.result === 'failure')
      ? 'failure'
      : jobs.some((job) => job.result === 'cancelled')
        ? 'cancelled'
        : 'success';
  const result: WorkflowRunResult = {
    workflow: workflow.name,
    file: workflow.display,
    event: trigger.eventName,
    ...(action ? { action } : {}),
    runId: scope.runId,
    conclusion,
    durationMs: Date.now() - started,
    jobs,
    outputs: trigger.call ? workflowCallOutputs(session, scope) : {},
    ...(trigger.triggeredBy ? { triggeredBy: trigger.triggeredBy } : {}),
    records: scope.records,
  };
  scope.reporter.workflowEnd(workflow.name, conclusion, result.durationMs, scope.depth);
  if (trigger.call) trigger.call.parent.records.push(...scope.records);
  else {
    session.runs.push(result);
    if (!session.cancelled) session.queue.push({ kind: 'workflow_run', run: result });
  }
  return result;
}

/** Starts every job whose needs have finished, as soon as they have; results land in scope.jobs. */
async function runJobs(session: Session, scope: RunScope, order: JobPlan[]): Promise<void> {
  const lanes = new Lanes(scope.reporter.sink);
  const selected = new Set(order.map((plan) => plan.id));
  const pending = new Set(order);
  const running = new Map<string, Promise<void>>();
  while (pending.size > 0 || running.size > 0) {
    for (const plan of [...pending]) {
      if (!plan.needs.every((need) => scope.jobs.has(need) || !selected.has(need))) continue;
      pending.delete(plan);
      running.set(
        plan.id,
        runJob(session, scope, plan, lanes).then((result) => {
          scope.jobs.set(plan.id, result);
          running.delete(plan.id);
        }),
      );
    }
    if (running.size === 0) throw new UserError("the jobs' needs form a cycle");
    try {
      await Promise.race(running.values());
    } catch (error) {
      // One job stopped the run (an unsupported feature, a bad setting): stop the others before reporting it.
      for (const process of session.running) process.cancel();
      await Promise.allSettled(running.values());
      throw error;
    }
  }
}

/** Resolves every action and reusable workflow up front, so an unsupported one stops the run before any step. */
async function preflight(session: Session, workflow: LoadedWorkflow, seen: Set<string>): Promise<void> {
  if (seen.has(workflow.path)) return;
  seen.add(workflow.path);
  for (const plan of workflow.jobs) {
    if (plan.model.type === 'reusableWorkflowJob') {
      const path = resolveReusableWorkflow(
        plan.model.ref.value,
        session.workspace,
        locate(workflow.display, plan.model.ref),
      );
      await preflight(session, await loadWorkflow(path, session.workspace), seen);
      continue;
    }
    for (const step of plan.steps) {
      if ('uses' in step.model)
        preflightAction(session, step.model.uses.value, step.where, Boolean(field(step.raw, 'if')));
    }
  }
}

/**
 * Actions from elsewhere are refused up front when the local runner cannot run them. A local
 * (./) action is checked now when it already exists, but resolved for good only when its step
 * runs: an earlier step may write it, and a step whose if: skips it never reads it (as on GitHub).
 */
function preflightAction(session: Session, uses: string, where: string, conditional: boolean): void {
  if (!uses.startsWith('./') && !uses.startsWith('../')) {
    resolveAction(uses, session.workspace, where);
    return;
  }
  try {
    resolveAction(uses, session.workspace, where);
  } catch (error) {
    const missing = error instanceof UserError && / no action\.yml or action\.yaml in /.test(error.message);
    if (!missing && !conditional) throw error;
  }
}

function selectJobs(reporter: Reporter, workflow: LoadedWorkflow, onlyJob: string | undefined): JobPlan[] {
  if (!onlyJob) return workflow.jobs;
  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  if (!byId.has(onlyJob))
    throw new UserError(
      `--job ${onlyJob}: ${workflow.display} has no such job (jobs: ${workflow.jobs.map((job) => job.id).join(', ')}).`,
    );
  const wanted = new Set<string>();
  const visit = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const need of byId.get(id)?.needs ?? []) visit(need);
  };
  visit(onlyJob);
  if (wanted.size > 1)
    reporter.note(
      `--job ${onlyJob} also runs the jobs it needs: ${[...wanted].filter((id) => id !== onlyJob).join(', ')}`,
      0,
    );
  return workflow.jobs.filter((job) => wanted.has(job.id));
}

function workflowCallOutputs(session: Session, scope: RunScope): Record<string, string> {
  const on = field(scope.workflow.root, 'on');
  const call = on && isMapping(on) ? on.find('workflow_call') : undefined;
  const outputs = call && isMapping(call) ? call.find('outputs') : undefined;
  const result: Record<string, string> = {};
  if (!outputs || !isMapping(outputs)) return result;
  const jobs: Record<string, Json> = {};
  for (const [id, job] of scope.jobs) jobs[id] = { outputs: job.outputs, result: job.result };
  for (const pair of outputs) {
    const name = isString(pair.key) ? pair.key.value : '';
    const value = isMapping(pair.value) ? pair.value.find('value') : undefined;
    result[name] = evaluateString(value, {
      contexts: {
        github: githubContext(session, scope.workflow, scope),
        inputs: scope.inputs,
        vars: session.options.vars ?? {},
        jobs,
      },
      where: locate(scope.workflow.display, value ?? pair.key),
    });
  }
  return result;
}

/** Settings that exist but mean nothing on one machine: said once per workflow, not silently ignored. */
function localNotes(workflow: LoadedWorkflow): string[] {
  const notes: string[] = [];
  const where = (token: Parameters<typeof locate>[1]) => locate(workflow.display, token);
  const concurrency = field(workflow.root, 'concurrency');
  if (concurrency)
    notes.push(`${where(concurrency)}: concurrency has no effect locally (no group queues or cancels a run)`);
  for (const plan of workflow.jobs) {
    const jobConcurrency = field(plan.raw, 'concurrency');
    if (jobConcurrency)
      notes.push(
        `${where(jobConcurrency)}: job '${plan.id}' concurrency has no effect locally (no group queues or cancels a run)`,
      );
    const environment = field(plan.raw, 'environment');
    if (environment)
      notes.push(
        `${where(environment)}: job '${plan.id}' environment: its protection rules and environment secrets do not apply locally (pass secrets with --secret)`,
      );
  }
  return notes;
}

/** Jobs in the order results are listed: waves of what is ready, file order within a wave. */
function topologicalOrder(jobs: JobPlan[]): JobPlan[] {
  const ids = new Set(jobs.map((job) => job.id));
  const done = new Set<string>();
  const order: JobPlan[] = [];
  while (order.length < jobs.length) {
    const ready = jobs.filter(
      (job) => !done.has(job.id) && job.needs.every((need) => done.has(need) || !ids.has(need)),
    );
    if (ready.length === 0) throw new UserError("the jobs' needs form a cycle");
    for (const job of ready) {
      done.add(job.id);
      order.push(job);
    }
  }
  return order;
}
