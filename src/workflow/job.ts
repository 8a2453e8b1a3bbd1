// A job: each combination of its matrix (in parallel up to strategy.max-parallel, fail-fast
// cancelling the others after a failure), and for each one its if:, a job slot (--jobs), its
// token, env, pre steps, steps, post steps, outputs and summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMapping, isString } from '@actions/workflow-parser';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { mapBounded } from '../shared/semaphore.js';
import { resolveAction } from './actions.js';
import { jobContexts, jobStatus, secretsContext, stepContexts } from './contexts.js';
import {
  type Contexts,
  evaluateCondition,
  evaluateString,
  evaluateStringMap,
  type Json,
  stringify,
} from './expressions.js';
import type { Lanes } from './lanes.js';
import { field, type JobPlan, locate } from './load.js';
import { readStrategy } from './matrix.js';
import { runPosts, runPre } from './post.js';
import type { Conclusion } from './reporter.js';
import { runReusableJob } from './reusable.js';
import type { Session } from './session.js';
import { runStep } from './step.js';
import { actionInputs, flag } from './step-support.js';
import type { JobResult, JobRuntime, RunScope } from './types.js';

const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

interface Instance {
  matrix: Record<string, Json>;
  strategy: Record<string, Json>;
  label: string;
  /** Running combinations of the same matrix, so fail-fast can cancel them. */
  active: Set<JobRuntime>;
}

/** Stops a job the way GitHub does on a timeout or fail-fast: its steps are cancelled, not failed. */
export function cancelJob(runtime: JobRuntime, reason: string): void {
  if (runtime.cancelledBy) return;
  runtime.cancelledBy = reason;
  for (const process of runtime.running) process.cancel();
}

export async function runJob(session: Session, scope: RunScope, plan: JobPlan, lanes: Lanes): Promise<JobResult> {
  const strategyToken = field(plan.raw, 'strategy');
  const matrixToken = strategyToken && isMapping(strategyToken) ? strategyToken.find('matrix') : undefined;
  if (!strategyToken || !isMapping(strategyToken) || !matrixToken)
    return runJobInstance(session, scope, plan, undefined, lanes);
  const started = Date.now();
  const contexts = jobContexts(session, scope, plan);
  const { combinations, failFast, maxParallel } = readStrategy(
    strategyToken,
    matrixToken,
    contexts,
    locate(scope.workflow.display, matrixToken),
  );
  const active = new Set<JobRuntime>();
  let failedFast = false;
  // Started in matrix order, at most max-parallel at once; results kept by combination.
  const instances = await mapBounded(combinations, maxParallel, async (matrix, index): Promise<JobResult> => {
    const label = `${plan.id} (${Object.values(matrix)
      .map((value) => stringify(value))
      .join(', ')})`;
    if (failFast && failedFast) {
      scope.reporter.jobSkipped(`${scope.prefix}${label}`, 'cancelled by fail-fast', scope.depth);
      return { id: plan.id, name: label, result: 'cancelled', outputs: {}, steps: [], durationMs: 0, matrix };
    }
    const strategy = {
      'fail-fast': failFast,
      'job-index': index,
      'job-total': combinations.length,
      'max-parallel': maxParallel,
    };
    const result = await runJobInstance(session, scope, plan, { matrix, strategy, label, active }, lanes);
    if (failFast && result.result === 'failure' && !failedFast) {
      failedFast = true;
      for (const runtime of active) cancelJob(runtime, 'fail-fast: another combination failed');
    }
    return result;
  });
  const results = instances.map((instance) => instance.result);
  const result: Conclusion = results.includes('failure')
    ? 'failure'
    : results.includes('cancelled')
      ? 'cancelled'
      : results.every((entry) => entry === 'skipped')
        ? 'skipped'
        : 'success';
  // GitHub keeps the outputs of whichever matrix job set them last.
  const outputs = Object.assign({}, ...instances.map((instance) => instance.outputs)) as Record<string, string>;
  return { id: plan.id, name: plan.id, result, outputs, steps: [], durationMs: Date.now() - started, instances };
}

async function runJobInstance(
  session: Session,
  scope: RunScope,
  plan: JobPlan,
  instance: Instance | undefined,
  lanes: Lanes,
): Promise<JobResult> {
  const started = Date.now();
  const display = `${scope.prefix}${instance?.label ?? plan.id}`;
  const baseContexts: Contexts = {
    ...jobContexts(session, scope, plan),
    strategy: instance?.strategy ?? {},
    matrix: instance?.matrix ?? {},
  };
  const condition = plan.model.if.expression;
  const shouldRun = evaluateCondition(condition, {
    contexts: baseContexts,
    status: jobStatus(session, scope, plan),
    where: locate(scope.workflow.display, field(plan.raw, 'if') ?? plan.model.id),
  });
  const nameToken = field(plan.raw, 'name');
  const name = nameToken ? evaluateString(nameToken, { contexts: baseContexts, where: plan.where }) : plan.id;
  if (!shouldRun) {
    scope.reporter.jobSkipped(display, `if: ${condition}`, scope.depth);
    return { id: plan.id, name, result: 'skipped', outputs: {}, steps: [], durationMs: 0 };
  }
  if (plan.model.type === 'reusableWorkflowJob') return runReusableJob(session, scope, plan, baseContexts, name, lanes);
  return session.slots.run(async () => {
    const lane = lanes.lane();
    try {
      const runtime = createRuntime(session, scope, plan, instance, {
        display,
        name,
        reporter: scope.reporter.to(lane),
        baseContexts,
      });
      instance?.active.add(runtime);
      const error = await runJobSteps(session, runtime, baseContexts);
      instance?.active.delete(runtime);
      return finishJob(session, runtime, { display, name, started, error, baseContexts, instance });
    } finally {
      lane.close();
    }
  });
}

function timeoutMinutes(runtime: JobRuntime, contexts: Contexts): number {
  const token = field(runtime.plan.raw, 'timeout-minutes');
  const minutes = token
    ? Number(evaluateString(token, { contexts, where: runtime.plan.where }))
    : DEFAULT_JOB_TIMEOUT_MINUTES;
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new UserError(`${locate(runtime.scope.workflow.display, token)}: timeout-minutes must be a positive number`);
  return minutes;
}

function createRuntime(
  session: Session,
  scope: RunScope,
  plan: JobPlan,
  instance: Instance | undefined,
  view: { display: string; name: string; reporter: JobRuntime['reporter']; baseContexts: Contexts },
): JobRuntime {
  view.reporter.jobStart(view.display, view.name === plan.id ? '' : view.name, scope.depth);
  const token = session.issueToken({ workflow: scope.workflow.name, job: view.display, runId: scope.runId });
  const temp = join(session.root, `${scope.runId}-${view.display.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
  mkdirSync(join(temp, 'temp'), { recursive: true });
  mkdirSync(join(temp, 'files'), { recursive: true });
  const runtime: JobRuntime = {
    scope,
    plan,
    reporter: view.reporter,
    token,
    temp,
    env: {},
    exported: {},
    pathAdditions: [],
    steps: {},
    results: [],
    posts: [],
    failed: false,
    deadline: Infinity,
    summaries: [],
    counter: 0,
    matrix: instance?.matrix ?? {},
    strategy: instance?.strategy ?? {},
    running: new Set(),
    jobsApi: {
      id: scope.runId * 100 + ++session.jobCounter,
      run_id: scope.runId,
      name: view.name,
      status: 'in_progress',
      conclusion: null,
      runner_name: `autostack-local-${scope.runId}-${plan.id}${instance ? `-${String(instance.strategy['job-index'])}` : ''}`,
      started_at: new Date().toISOString(),
      steps: [],
    },
  };
  const liveJobs = session.liveJobs.get(scope.runId) ?? [];
  liveJobs.push(runtime.jobsApi);
  session.liveJobs.set(scope.runId, liveJobs);
  return runtime;
}

/** The job's steps under its timeout; returns the job's error, if it has one. */
async function runJobSteps(session: Session, runtime: JobRuntime, baseContexts: Contexts): Promise<string | undefined> {
  const { scope, plan } = runtime;
  let error: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const minutes = timeoutMinutes(runtime, baseContexts);
    runtime.deadline = Date.now() + minutes * 60_000;
    timer = setTimeout(() => {
      runtime.reporter.annotation(
        'error',
        `The job running on runner ${runtime.jobsApi.runner_name} has exceeded the maximum execution time of ${minutes} minutes.`,
        scope.depth,
      );
      cancelJob(runtime, 'the job exceeded its timeout-minutes');
      error ??= `The job exceeded its timeout-minutes (${minutes}) and was cancelled.`;
    }, minutes * 60_000);
    const jobContexts = {
      ...baseContexts,
      github: { ...(baseContexts.github as Record<string, Json>), token: runtime.token },
      secrets: secretsContext(scope, runtime.token),
    };
    const workflowEnv = evaluateStringMap(field(scope.workflow.root, 'env'), {
      contexts: jobContexts,
      where: scope.workflow.display,
    });
    const jobEnv = evaluateStringMap(field(plan.raw, 'env'), {
      contexts: { ...jobContexts, env: workflowEnv },
      where: plan.where,
    });
    runtime.env = { ...workflowEnv, ...jobEnv };
    await runPreSteps(session, runtime);
    for (const step of plan.steps) await runStep(session, runtime, step);
    await runPosts(session, runtime);
  } catch (caught) {
    if (!(caught instanceof UserError)) throw caught;
    error = caught.message;
    runtime.failed = true;
    runtime.reporter.annotation('error', caught.message, scope.depth);
    await runPosts(session, runtime);
  } finally {
    clearTimeout(timer);
  }
  return error;
}

/** Pre steps of the actions the runner resolves at job setup (GitHub never runs a local action's pre). */
async function runPreSteps(session: Session, runtime: JobRuntime): Promise<void> {
  for (const step of runtime.plan.steps) {
    if (!('uses' in step.model) || step.model.uses.value.startsWith('./')) continue;
    const action = resolveAction(step.model.uses.value, session.workspace, step.where);
    if (action.kind !== 'node' || !action.pre) continue;
    const contexts = stepContexts(session, runtime, { action: step.id, action_path: action.directory });
    const inputs = actionInputs(runtime.reporter, session.workspace, action, step, contexts, runtime.scope.depth);
    const env = evaluateStringMap(field(step.raw, 'env'), { contexts, where: step.where });
    const nameToken = field(step.raw, 'name');
    await runPre(session, runtime, {
      name: `Pre ${nameToken && isString(nameToken) ? nameToken.value : `Run ${action.uses}`}`,
      id: step.id,
      action,
      inputs,
      env,
    });
  }
}

function jobOutputs(session: Session, runtime: JobRuntime): Record<string, string> {
  const outputs: Record<string, string> = {};
  const token = field(runtime.plan.raw, 'outputs');
  if (!token || !isMapping(token)) return outputs;
  const contexts = stepContexts(session, runtime, {});
  for (const pair of token) {
    const name = isString(pair.key) ? pair.key.value : '';
    const value = evaluateString(pair.value, { contexts, where: locate(runtime.scope.workflow.display, pair.value) });
    if (redact(value) !== value) {
      runtime.reporter.annotation('warning', `Skip output '${name}' since it may contain secret.`, runtime.scope.depth);
      continue;
    }
    outputs[name] = value;
  }
  return outputs;
}

function finishJob(
  session: Session,
  runtime: JobRuntime,
  end: {
    display: string;
    name: string;
    started: number;
    error: string | undefined;
    baseContexts: Contexts;
    instance: Instance | undefined;
  },
): JobResult {
  const { scope, plan } = runtime;
  const outputs = end.error ? {} : jobOutputs(session, runtime);
  let result: Conclusion =
    session.cancelled || runtime.cancelledBy ? 'cancelled' : runtime.failed ? 'failure' : 'success';
  const continueOnErrorToken = field(plan.raw, 'continue-on-error');
  if (
    result === 'failure' &&
    continueOnErrorToken &&
    flag(continueOnErrorToken, { contexts: end.baseContexts, where: plan.where })
  ) {
    runtime.reporter.note(`job ${end.display} failed; continue-on-error lets the workflow go on`, scope.depth);
    result = 'success';
  }
  runtime.jobsApi.status = 'completed';
  runtime.jobsApi.conclusion = result;
  if (runtime.summaries.length > 0) {
    const summaryPath = join(
      session.workspace,
      '.autostack',
      'summaries',
      `${scope.runId}-${end.display.replace(/[^A-Za-z0-9_.-]+/g, '_')}.md`,
    );
    mkdirSync(dirname(summaryPath), { recursive: true });
    writeFileSync(summaryPath, redact(runtime.summaries.join('\n')));
    runtime.reporter.line(
      `${'  '.repeat(scope.depth)}│ job summary: ${summaryPath.replace(`${session.workspace}/`, '')}`,
    );
  }
  const durationMs = Date.now() - end.started;
  runtime.reporter.jobEnd(end.display, result, durationMs, outputs, scope.depth);
  return {
    id: plan.id,
    name: end.name,
    result,
    outputs,
    steps: runtime.results,
    durationMs,
    ...(end.error ? { error: end.error } : {}),
    ...(end.instance ? { matrix: end.instance.matrix } : {}),
  };
}
