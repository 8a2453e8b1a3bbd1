// What a step needs around its process: shells, run defaults, action inputs and their INPUT_*
// variables, the step's environment files, and the ACTIONS_ALLOW_UNSECURE_COMMANDS switch.
import { join } from 'node:path';
import { isBasicExpression, isBoolean, isMapping } from '@actions/workflow-parser';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { UserError } from '../shared/errors.js';
import type { ActionManifest } from './actions.js';
import { type CollectedFiles, createStepFiles, readStepFiles, type StepFiles } from './env-file.js';
import {
  type Contexts,
  evaluateCondition,
  evaluateExpression,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  type Json,
  stringify,
} from './expressions.js';
import { field, type StepPlan } from './load.js';
import type { JobsApiJob } from './local-github.js';
import type { Reporter } from './reporter.js';
import type { Session } from './session.js';
import type { JobRuntime, NodeAction } from './types.js';

export function oneLine(text: string): string {
  return (text.split('\n').find((line) => line.trim()) ?? '').trim();
}

/** A boolean field that may be an expression (continue-on-error, fail-fast). */
export function flag(token: TemplateToken, scope: { contexts: Contexts; where: string }): boolean {
  if (isBasicExpression(token)) return evaluateCondition(token.expression, scope);
  if (isBoolean(token)) return token.value;
  return stringify(evaluateToken(token, scope)) === 'true';
}

/** The runner's shells: bash/sh/python/node by name, or a custom template with {0}. */
export function shellCommand(shell: string, script: string, where: string): string[] {
  switch (shell) {
    case '':
      return ['bash', '-e', script];
    case 'bash':
      return ['bash', '--noprofile', '--norc', '-eo', 'pipefail', script];
    case 'sh':
      return ['sh', '-e', script];
    case 'python':
      return ['python3', script];
    case 'node':
      return [process.execPath, script];
    default:
      if (shell.includes('{0}')) return shell.split(/\s+/).map((part) => part.replace('{0}', script));
      throw new UserError(
        `${where}: shell '${shell}' is not supported by the local runner (bash, sh, python, node, or a command with {0}).`,
      );
  }
}

export function runDefaults(runtime: JobRuntime, contexts: Contexts): { shell: string; workingDirectory: string } {
  const read = (mapping: MappingToken | undefined) => {
    const defaults = mapping?.find('defaults');
    const run = defaults && isMapping(defaults) ? defaults.find('run') : undefined;
    if (!run || !isMapping(run)) return {};
    const shell = run.find('shell');
    const directory = run.find('working-directory');
    return {
      shell: shell ? evaluateString(shell, { contexts, where: runtime.plan.where }) : undefined,
      workingDirectory: directory ? evaluateString(directory, { contexts, where: runtime.plan.where }) : undefined,
    };
  };
  const workflowDefaults = read(runtime.scope.workflow.root);
  const jobDefaults = read(runtime.plan.raw);
  return {
    shell: jobDefaults.shell ?? workflowDefaults.shell ?? '',
    workingDirectory: jobDefaults.workingDirectory ?? workflowDefaults.workingDirectory ?? '',
  };
}

/** An action's inputs: its declared defaults (expressions evaluated), then with:, unknown names warned. */
export function actionInputs(
  reporter: Reporter,
  workspace: string,
  action: { uses: string; manifest: ActionManifest },
  step: StepPlan,
  contexts: Contexts,
  depth: number,
): Record<string, string> {
  const declared = action.manifest.inputs ?? {};
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (spec?.default !== undefined && spec.default !== null) {
      const text = String(spec.default);
      inputs[name] = text.replace(/\$\{\{\s*([\s\S]+?)\s*\}\}/g, (_match, expression: string) =>
        stringify(
          evaluateExpression(expression, { contexts, where: `${action.uses} action.yml default of '${name}'` }),
        ),
      );
    }
  }
  const given = evaluateStringMap(field(step.raw, 'with'), { contexts, workspace, where: step.where });
  const unexpected = Object.keys(given).filter((name) => !(name in declared));
  if (unexpected.length > 0) {
    reporter.annotation(
      'warning',
      `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(declared).join("', '")}'] (${step.where})`,
      depth,
    );
  }
  return { ...inputs, ...given };
}

export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
}

/** INPUT_* and the GITHUB_ACTION_* variables of a node action's process. */
export function actionEnv(action: NodeAction, inputs: Record<string, string>): Record<string, string> {
  return {
    ...inputEnv(inputs),
    GITHUB_ACTION_PATH: action.directory,
    GITHUB_ACTION_REPOSITORY: action.uses.startsWith('./')
      ? ''
      : (action.uses.split('@')[0] ?? '').split('/').slice(0, 2).join('/'),
    GITHUB_ACTION_REF: action.uses.includes('@') ? (action.uses.split('@')[1] ?? '') : '',
  };
}

/** The runner reads ACTIONS_ALLOW_UNSECURE_COMMANDS from its own environment (here: --env) or the env context. */
export function unsecureAllowed(session: Session, contexts: Contexts): boolean {
  const env = contexts.env as Record<string, Json> | undefined;
  const value = env?.ACTIONS_ALLOW_UNSECURE_COMMANDS ?? session.options.env?.ACTIONS_ALLOW_UNSECURE_COMMANDS;
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** The step as the jobs API lists it: numbered in job order, `in_progress` from now or `queued` until it starts. */
export function addApiStep(
  runtime: JobRuntime,
  name: string,
  status: 'queued' | 'in_progress',
): JobsApiJob['steps'][number] {
  const apiStep = {
    name,
    status,
    conclusion: null,
    number: runtime.jobsApi.steps.length + 1,
    started_at: status === 'in_progress' ? new Date().toISOString() : null,
    completed_at: null,
  } as JobsApiJob['steps'][number];
  runtime.jobsApi.steps.push(apiStep);
  return apiStep;
}

export function newStepFiles(runtime: JobRuntime): StepFiles {
  return createStepFiles(join(runtime.temp, 'files'), ++runtime.counter);
}

/** Reads a step's files back: the summary joins the job's, refused GITHUB_ENV names are error annotations. */
export function collectStepFiles(runtime: JobRuntime, files: StepFiles): CollectedFiles {
  const collected = readStepFiles(files);
  if (collected.summary.trim()) runtime.summaries.push(collected.summary);
  for (const message of collected.errors) runtime.reporter.annotation('error', message, runtime.scope.depth);
  return collected;
}
