// One step of a job: its name, if:, env, timeout and continue-on-error, then the work itself —
// a run: script, a node action (its main entry point, or a hook's command), a composite action
// or the built-in checkout — and what it leaves behind: outputs, env files, post steps.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isBasicExpression, isString } from '@actions/workflow-parser';
import type { ActionStep, RunStep } from '@actions/workflow-parser/model/workflow-template';
import { UserError } from '../shared/errors.js';
import { type ResolvedAction, resolveAction } from './actions.js';
import { executeStep, type ProcessResult } from './commands.js';
import { runComposite } from './composite.js';
import { isCancelled, processEnv, stepContexts, stepStatus } from './contexts.js';
import { type Contexts, evaluateCondition, evaluateString, evaluateStringMap, type Json } from './expressions.js';
import { field, locate, type StepPlan } from './load.js';
import type { Conclusion } from './reporter.js';
import type { Session } from './session.js';
import {
  actionEnv,
  addApiStep,
  actionInputs,
  collectStepFiles,
  flag,
  newStepFiles,
  oneLine,
  runDefaults,
  shellCommand,
  unsecureAllowed,
} from './step-support.js';
import type { JobRuntime, NodeAction, StepResult } from './types.js';

type Model = RunStep | ActionStep;
type Finish = (result: Omit<StepResult, 'id' | 'name' | 'durationMs'>) => void;

/** Step settings evaluated once the step is known to run. */
interface StepSettings {
  contexts: Contexts;
  stepEnv: Record<string, string>;
  timeoutMs: number;
  continueOnError: boolean;
}

interface Command {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  detail: string;
  outputsOnStdout?: boolean;
  action?: NodeAction;
  inputs?: Record<string, string>;
}

function stepName(step: StepPlan, model: Model, contexts: Contexts): string {
  const nameToken = field(step.raw, 'name');
  if (nameToken) return evaluateString(nameToken, { contexts, where: step.where });
  if ('run' in model)
    return `Run ${oneLine(isString(model.run) ? model.run.value : isBasicExpression(model.run) ? (model.run.source ?? model.run.toDisplayString()) : '')}`;
  return `Run ${model.uses.value}`;
}

/** The step as the jobs API shows it, and the function that records its end everywhere. */
function beginStep(
  session: Session,
  runtime: JobRuntime,
  step: StepPlan,
  name: string,
  uses: string | undefined,
): Finish {
  const apiStep = addApiStep(runtime, name, 'queued');
  const started = Date.now();
  return (result) => {
    const full: StepResult = {
      id: step.id,
      name,
      durationMs: result.outcome === 'skipped' ? 0 : Date.now() - started,
      ...result,
      ...(uses ? { uses } : {}),
    };
    runtime.results.push(full);
    runtime.steps[step.id] = { outputs: full.outputs, outcome: full.outcome, conclusion: full.conclusion };
    if (apiStep.status === 'queued' && full.outcome !== 'skipped') apiStep.started_at = new Date(started).toISOString();
    apiStep.status = 'completed';
    apiStep.conclusion = full.conclusion;
    apiStep.completed_at = new Date().toISOString();
    if (full.conclusion === 'failure') runtime.failed = true;
    runtime.reporter.stepEnd(
      name,
      full.outcome,
      full.conclusion,
      full.durationMs,
      full.error ?? '',
      runtime.scope.depth,
    );
  };
}

function settingsFor(session: Session, runtime: JobRuntime, step: StepPlan, contexts: Contexts): StepSettings {
  const where = locate(runtime.scope.workflow.display, field(step.raw, 'timeout-minutes'));
  const stepEnv = evaluateStringMap(field(step.raw, 'env'), { contexts, where: step.where });
  const withEnv = { ...contexts, env: { ...(contexts.env as Record<string, Json>), ...stepEnv } };
  const timeoutToken = field(step.raw, 'timeout-minutes');
  const minutes = timeoutToken
    ? Number(evaluateString(timeoutToken, { contexts: withEnv, where: step.where }))
    : Infinity;
  if (Number.isNaN(minutes) || minutes <= 0) throw new UserError(`${where}: timeout-minutes must be a positive number`);
  // Steps that run after a cancellation (always(), cancelled()) get at most five minutes, like the runner.
  const timeoutMs = isCancelled(session, runtime) ? Math.min(minutes * 60_000, 5 * 60_000) : minutes * 60_000;
  const continueToken = field(step.raw, 'continue-on-error');
  return {
    contexts: withEnv,
    stepEnv,
    timeoutMs,
    continueOnError: continueToken ? flag(continueToken, { contexts: withEnv, where: step.where }) : false,
  };
}

export async function runStep(session: Session, runtime: JobRuntime, step: StepPlan): Promise<void> {
  const display = runtime.scope.workflow.display;
  const model = step.model as Model;
  const uses = 'run' in model ? undefined : model.uses.value;
  const baseContexts = stepContexts(session, runtime, { action: step.id });
  const name = stepName(step, model, baseContexts);
  const finish = beginStep(session, runtime, step, name, uses);
  const ifToken = field(step.raw, 'if');
  if (
    !evaluateCondition(model.if.expression, {
      contexts: baseContexts,
      status: stepStatus(session, runtime),
      workspace: session.workspace,
      where: locate(display, ifToken ?? step.raw),
    })
  ) {
    finish({ outcome: 'skipped', conclusion: 'skipped', outputs: {}, annotations: [] });
    return;
  }
  let resolved: ResolvedAction | undefined;
  try {
    // Resolved when the step runs, as on GitHub: an earlier step may have written a local action.
    if (uses !== undefined) resolved = resolveAction(uses, session.workspace, step.where);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    runtime.reporter.stepStart(name, '', runtime.scope.depth);
    runtime.reporter.annotation('error', error.message, runtime.scope.depth);
    finish({
      outcome: 'failure',
      conclusion: 'failure',
      outputs: {},
      annotations: [{ kind: 'error', message: error.message }],
      error: error.message,
    });
    return;
  }
  const contexts = stepContexts(
    session,
    runtime,
    resolved
      ? { action: step.id, action_path: resolved.kind === 'checkout' ? '' : resolved.directory }
      : { action: step.id },
  );
  const settings = settingsFor(session, runtime, step, contexts);
  if (resolved?.kind === 'checkout') return runCheckout(session, runtime, step, name, settings, finish);
  if (resolved?.kind === 'composite') return runCompositeStep(session, runtime, step, name, resolved, settings, finish);
  const command = resolved
    ? nodeCommand(session, runtime, step, resolved, settings)
    : scriptCommand(session, runtime, step, model as RunStep, settings);
  if (typeof command === 'string') {
    runtime.reporter.stepStart(name, '', runtime.scope.depth);
    finish({
      outcome: 'failure',
      conclusion: settings.continueOnError ? 'success' : 'failure',
      outputs: {},
      annotations: [{ kind: 'error', message: command }],
      error: command,
    });
    return;
  }
  await runCommand(session, runtime, step, name, command, settings, finish);
}

function runCheckout(
  session: Session,
  runtime: JobRuntime,
  step: StepPlan,
  name: string,
  settings: StepSettings,
  finish: Finish,
): void {
  runtime.reporter.stepStart(name, 'built in: the workspace is the checkout', runtime.scope.depth);
  const withInputs = evaluateStringMap(field(step.raw, 'with'), { contexts: settings.contexts, where: step.where });
  if (withInputs.repository && withInputs.repository.toLowerCase() !== session.repository.toLowerCase()) {
    throw new UserError(
      `${step.where}: actions/checkout of another repository (${withInputs.repository}) is not supported by the local runner.`,
    );
  }
  runtime.reporter.stepOutput(
    `the workspace ${session.workspace} is the checkout; nothing to fetch locally`,
    0,
    runtime.scope.depth,
  );
  finish({ outcome: 'success', conclusion: 'success', outputs: {}, annotations: [] });
}

async function runCompositeStep(
  session: Session,
  runtime: JobRuntime,
  step: StepPlan,
  name: string,
  action: Extract<ResolvedAction, { kind: 'composite' }>,
  settings: StepSettings,
  finish: Finish,
): Promise<void> {
  const depth = runtime.scope.depth;
  const inputs = actionInputs(runtime.reporter, session.workspace, action, step, settings.contexts, depth);
  runtime.reporter.stepStart(name, `${action.label}, composite`, depth);
  const composite = await runComposite(session, runtime, action, inputs, settings.stepEnv, {
    timeoutMs: settings.timeoutMs,
    depth,
    nesting: 1,
  });
  finish({
    outcome: composite.outcome,
    conclusion: composite.outcome === 'failure' && settings.continueOnError ? 'success' : composite.outcome,
    outputs: composite.outputs,
    annotations: composite.annotations,
    ...(composite.error ? { error: composite.error } : {}),
  });
}

/** A run: step's shell and script; a working-directory that does not exist fails the step, naming it. */
function scriptCommand(
  session: Session,
  runtime: JobRuntime,
  step: StepPlan,
  model: RunStep,
  settings: StepSettings,
): Command | string {
  const { contexts } = settings;
  const script = evaluateString(model.run, { contexts, workspace: session.workspace, where: step.where });
  const defaults = runDefaults(runtime, contexts);
  const shellToken = field(step.raw, 'shell');
  const shell = shellToken ? evaluateString(shellToken, { contexts, where: step.where }) : defaults.shell;
  const directoryToken = field(step.raw, 'working-directory');
  const workingDirectory = directoryToken
    ? evaluateString(directoryToken, { contexts, where: step.where })
    : defaults.workingDirectory;
  const cwd = workingDirectory ? resolve(session.workspace, workingDirectory) : session.workspace;
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    const where = locate(runtime.scope.workflow.display, directoryToken ?? step.raw);
    return `${where}: working-directory '${workingDirectory}' does not exist (${cwd})${directoryToken ? '' : ' — it comes from defaults.run'}.`;
  }
  const counter = ++runtime.counter;
  const scriptPath = join(runtime.temp, 'temp', `step-${counter}.sh`);
  writeFileSync(scriptPath, script);
  const [command = 'bash', ...args] = shellCommand(shell, scriptPath, step.where);
  return { command, args, cwd, env: { GITHUB_ACTION: step.id }, detail: '' };
}

function nodeCommand(
  session: Session,
  runtime: JobRuntime,
  step: StepPlan,
  action: NodeAction,
  settings: StepSettings,
): Command {
  const depth = runtime.scope.depth;
  if (action.pre && action.uses.startsWith('./')) {
    // GitHub reads a local action only when its step runs, after the job was set up: its pre never runs.
    runtime.reporter.annotation(
      'warning',
      `\`pre\` execution is not supported for local action from '${action.uses}'`,
      depth,
    );
  }
  const inputs = actionInputs(runtime.reporter, session.workspace, action, step, settings.contexts, depth);
  const env = { ...actionEnv(action, inputs), GITHUB_ACTION: step.id };
  const context = { action, inputs, workspace: session.workspace, nodePath: session.nodePath };
  for (const hook of session.hooks) {
    const replaced = hook.matches(action) ? hook.command?.(context) : undefined;
    if (replaced)
      return {
        ...replaced,
        cwd: session.workspace,
        env,
        detail: `${action.label}, ${replaced.detail}`,
        action,
        inputs,
      };
  }
  return {
    command: session.nodePath,
    args: [action.main],
    cwd: session.workspace,
    env,
    detail: action.label,
    action,
    inputs,
  };
}

/** Environment files and workflow commands, applied to the job once the step ended. */
function applyStepEffects(
  runtime: JobRuntime,
  outcome: ProcessResult,
  collected: ReturnType<typeof collectStepFiles>,
): Record<string, string> {
  const { effects } = outcome;
  Object.assign(runtime.exported, effects.env, collected.env);
  runtime.pathAdditions.push(...effects.path, ...collected.path);
  return { ...effects.outputs, ...collected.outputs, ...(outcome.stdoutOutputs ?? {}) };
}

async function runCommand(
  session: Session,
  runtime: JobRuntime,
  step: StepPlan,
  name: string,
  command: Command,
  settings: StepSettings,
  finish: Finish,
): Promise<void> {
  const depth = runtime.scope.depth;
  const files = newStepFiles(runtime);
  const env = processEnv(session, runtime, { ...files }, settings.stepEnv, command.env);
  runtime.reporter.stepStart(name, command.detail, depth);
  const outcome = await executeStep(session, runtime, command.command, command.args, {
    cwd: command.cwd,
    env,
    timeoutMs: settings.timeoutMs,
    depth,
    allowUnsecure: unsecureAllowed(session, settings.contexts),
    ...(command.outputsOnStdout ? { outputsOnStdout: true } : {}),
  });
  const collected = collectStepFiles(runtime, files);
  const outputs = applyStepEffects(runtime, outcome, collected);
  let error = outcome.error ?? collected.error;
  if (!error && outcome.timedOut) error = `timed out after ${formatMinutes(settings.timeoutMs)}`;
  const cancelled = outcome.cancelled && isCancelled(session, runtime);
  const stepOutcome: Conclusion = cancelled ? 'cancelled' : error ? 'failure' : 'success';
  if (command.action?.post) {
    runtime.posts.push({
      name: `Post ${name}`,
      action: command.action,
      inputs: command.inputs ?? {},
      state: { ...outcome.effects.state, ...collected.state },
      env: settings.stepEnv,
      id: step.id,
    });
  }
  if (command.action) afterHooks(session, runtime, command.action, command.inputs ?? {}, outputs);
  finish({
    outcome: stepOutcome,
    conclusion: stepOutcome === 'failure' && settings.continueOnError ? 'success' : stepOutcome,
    outputs,
    annotations: [
      ...outcome.effects.annotations,
      ...collected.errors.map((message) => ({ kind: 'error' as const, message })),
    ],
    ...(error ? { error: cancelled ? (runtime.cancelledBy ?? 'cancelled') : error } : {}),
  });
}

function afterHooks(
  session: Session,
  runtime: JobRuntime,
  action: NodeAction,
  inputs: Record<string, string>,
  outputs: Record<string, string>,
): void {
  const { scope } = runtime;
  for (const hook of session.hooks) {
    if (!hook.matches(action)) continue;
    hook.after?.({
      action,
      inputs,
      outputs,
      workspace: session.workspace,
      nodePath: session.nodePath,
      addRecord: (record) => scope.records.push({ ...record, job: `${scope.prefix}${runtime.plan.id}` }),
    });
  }
}

export function formatMinutes(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(2)} minutes` : `${+(ms / 1000).toFixed(1)} s (timeout-minutes)`;
}
