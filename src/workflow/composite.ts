/**
 * A composite action: its steps run in order with the `inputs` context of the action, their own
 * `steps` context, `if:` with status functions (scoped to the action), and the action's
 * `outputs.*.value` evaluated at the end. Node actions inside register their post steps on the
 * job; composite actions inside run the same way, nested (GitHub allows 9 levels).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureStatusFunction } from '@actions/workflow-parser/model/converter/if-condition';
import { UserError } from '../shared/errors.js';
import { type CompositeStep, type ResolvedAction, resolveAction } from './actions.js';
import { executeStep } from './commands.js';
import { isCancelled, processEnv, stepContexts } from './contexts.js';
import { evaluateCondition, type EvaluationScope, interpolate, type Json } from './expressions.js';
import type { Conclusion } from './reporter.js';
import type { Session } from './session.js';
import { actionEnv, collectStepFiles, newStepFiles, oneLine, shellCommand, unsecureAllowed } from './step-support.js';
import type { JobRuntime, NodeAction, StepResult, StepState } from './types.js';

type CompositeAction = Extract<ResolvedAction, { kind: 'composite' }>;
const MAX_COMPOSITE_NESTING = 9;

export interface CompositeOutcome {
  outcome: Conclusion;
  outputs: Record<string, string>;
  error?: string;
  annotations: StepResult['annotations'];
}

interface CompositeRun {
  session: Session;
  runtime: JobRuntime;
  action: CompositeAction;
  inputs: Record<string, string>;
  parentEnv: Record<string, string>;
  deadline: number;
  level: {
    /** Indentation of the action's steps in the output. */
    depth: number;
    /** Composite actions this one runs inside (GitHub stops at 9). */
    nesting: number;
  };
  steps: StepState;
  failed: boolean;
}

function scopeFor(run: CompositeRun, where: string): EvaluationScope {
  const base = stepContexts(run.session, run.runtime, { action_path: run.action.directory });
  const steps = Object.fromEntries(
    Object.entries(run.steps).map(([id, entry]) => [
      id,
      { outputs: entry.outputs, outcome: entry.outcome, conclusion: entry.conclusion },
    ]),
  );
  const cancelled = isCancelled(run.session, run.runtime);
  return {
    contexts: { ...base, inputs: run.inputs, steps, env: { ...(base.env as Record<string, Json>), ...run.parentEnv } },
    status: { success: !run.failed && !cancelled, failure: run.failed && !cancelled, cancelled },
    workspace: run.session.workspace,
    where,
  };
}

function text(run: CompositeRun, value: unknown, where: string): string {
  return interpolate(
    typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value),
    scopeFor(run, where),
  );
}

function condition(raw: CompositeStep): string {
  const written =
    typeof raw.if === 'string'
      ? raw.if.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1').trim() || 'success()'
      : raw.if === false
        ? 'false'
        : 'success()';
  return ensureStatusFunction(written, undefined);
}

export async function runComposite(
  session: Session,
  runtime: JobRuntime,
  action: CompositeAction,
  inputs: Record<string, string>,
  parentEnv: Record<string, string>,
  options: { timeoutMs: number; depth: number; nesting: number },
): Promise<CompositeOutcome> {
  if (options.nesting > MAX_COMPOSITE_NESTING)
    throw new UserError(
      `${action.uses}: composite actions nest at most ${MAX_COMPOSITE_NESTING} levels deep (GitHub's limit).`,
    );
  const run: CompositeRun = {
    session,
    runtime,
    action,
    inputs,
    parentEnv,
    deadline: Date.now() + options.timeoutMs,
    level: { depth: options.depth, nesting: options.nesting },
    steps: {},
    failed: false,
  };
  const annotations: StepResult['annotations'] = [];
  let error: string | undefined;
  for (const [index, raw] of action.steps.entries()) {
    const where = `${action.uses} (action.yml runs.steps[${index}])`;
    const id = raw.id ?? `__${index}`;
    const label = raw.name
      ? text(run, raw.name, where)
      : raw.run !== undefined
        ? `Run ${oneLine(raw.run)}`
        : `Run ${raw.uses ?? ''}`;
    if (!evaluateCondition(condition(raw), scopeFor(run, where))) {
      run.steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      runtime.reporter.stepOutput(`- ${label} (skipped)`, 0, run.level.depth);
      continue;
    }
    runtime.reporter.stepOutput(`▸ ${label}`, 0, run.level.depth);
    const result = await runCompositeStep(run, raw, id, label, where);
    annotations.push(...result.annotations);
    const tolerated =
      raw['continue-on-error'] === true ||
      (typeof raw['continue-on-error'] === 'string' && text(run, raw['continue-on-error'], where) === 'true');
    const outcome: Conclusion = result.error ? 'failure' : 'success';
    run.steps[id] = {
      outputs: result.outputs,
      outcome,
      conclusion: outcome === 'failure' && tolerated ? 'success' : outcome,
    };
    runtime.reporter.stepOutput(
      `${outcome === 'success' ? '✓' : '✗'} ${label}${result.error ? ` (${result.error}${tolerated ? ', continue-on-error' : ''})` : ''}`,
      0,
      run.level.depth,
    );
    if (result.error && !tolerated) {
      run.failed = true;
      error ??= `${label}: ${result.error}`;
    }
  }
  const outputs: Record<string, string> = {};
  for (const [outputName, spec] of Object.entries(action.manifest.outputs ?? {})) {
    outputs[outputName] =
      spec?.value !== undefined ? text(run, spec.value, `${action.uses} (action.yml outputs.${outputName})`) : '';
  }
  return {
    outcome: isCancelled(session, runtime) ? 'cancelled' : run.failed ? 'failure' : 'success',
    outputs,
    annotations,
    ...(error ? { error } : {}),
  };
}

/** One step of a composite action: a script, a node action, or another composite action. */
async function runCompositeStep(
  run: CompositeRun,
  raw: CompositeStep,
  id: string,
  label: string,
  where: string,
): Promise<{ outputs: Record<string, string>; error?: string; annotations: StepResult['annotations'] }> {
  const { session, runtime, action } = run;
  const env: Record<string, string> = { ...run.parentEnv };
  for (const [key, value] of Object.entries(raw.env ?? {})) env[key] = text(run, value, where);
  const timeoutMs = Math.max(1, run.deadline - Date.now());
  let nested: NodeAction | undefined;
  let command: string;
  let args: string[];
  let cwd = session.workspace;
  let extra: Record<string, string> = { GITHUB_ACTION_PATH: action.directory, GITHUB_ACTION: id };
  let nestedInputs: Record<string, string> = {};
  if (raw.run !== undefined) {
    const scriptPath = join(runtime.temp, 'temp', `step-${++runtime.counter}.sh`);
    writeFileSync(scriptPath, text(run, raw.run, where));
    [command = 'bash', ...args] = shellCommand(raw.shell ?? 'bash', scriptPath, where);
    if (raw['working-directory']) cwd = resolve(session.workspace, text(run, raw['working-directory'], where));
  } else {
    const resolved = resolveAction(raw.uses ?? '', session.workspace, where);
    nestedInputs = nestedActionInputs(run, resolved, raw, where);
    if (resolved.kind === 'composite') {
      const inner = await runComposite(session, runtime, resolved, nestedInputs, env, {
        timeoutMs,
        depth: run.level.depth,
        nesting: run.level.nesting + 1,
      });
      return { outputs: inner.outputs, annotations: inner.annotations, ...(inner.error ? { error: inner.error } : {}) };
    }
    if (resolved.kind !== 'node')
      throw new UserError(
        `${where}: uses: ${raw.uses} — actions/checkout inside a composite action is not supported locally.`,
      );
    nested = resolved;
    extra = { ...extra, ...actionEnv(resolved, nestedInputs) };
    command = session.nodePath;
    args = [resolved.main];
  }
  const files = newStepFiles(runtime);
  const processEnvironment = processEnv(session, runtime, { ...files }, env, extra);
  const scope = scopeFor(run, where);
  const outcome = await executeStep(session, runtime, command, args, {
    cwd,
    env: processEnvironment,
    timeoutMs,
    depth: run.level.depth,
    allowUnsecure: unsecureAllowed(session, scope.contexts),
  });
  const collected = collectStepFiles(runtime, files);
  Object.assign(runtime.exported, outcome.effects.env, collected.env);
  runtime.pathAdditions.push(...outcome.effects.path, ...collected.path);
  const error = outcome.error ?? collected.error ?? (outcome.timedOut ? 'timed out' : undefined);
  if (nested?.post && !error)
    runtime.posts.push({
      name: `Post ${label}`,
      action: nested,
      inputs: nestedInputs,
      state: { ...outcome.effects.state, ...collected.state },
      env,
      id,
    });
  return {
    outputs: { ...outcome.effects.outputs, ...collected.outputs },
    annotations: outcome.effects.annotations,
    ...(error ? { error } : {}),
  };
}

function nestedActionInputs(
  run: CompositeRun,
  resolved: ResolvedAction,
  raw: CompositeStep,
  where: string,
): Record<string, string> {
  const inputs: Record<string, string> = {};
  if (resolved.kind === 'checkout') return inputs;
  for (const [name, spec] of Object.entries(resolved.manifest.inputs ?? {})) {
    if (spec?.default !== undefined && spec.default !== null) inputs[name] = text(run, String(spec.default), where);
  }
  for (const [name, value] of Object.entries(raw.with ?? {})) inputs[name] = text(run, value, where);
  return inputs;
}
