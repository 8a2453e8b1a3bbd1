import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  convertWorkflowTemplate,
  isMapping,
  isSequence,
  isString,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { Job, ReusableWorkflowJob, Step } from '@actions/workflow-parser/model/workflow-template';
import { UserError } from '../shared/errors.js';

/** One step of a job: the parser's model plus the raw keys it does not carry (with, shell, …). */
export interface StepPlan {
  id: string;
  /** True when the workflow gave the step an id (steps.<id> is only set for those). */
  explicitId: boolean;
  model: Step;
  raw: MappingToken;
  where: string;
}

export interface JobPlan {
  id: string;
  model: Job | ReusableWorkflowJob;
  raw: MappingToken;
  needs: string[];
  steps: StepPlan[];
  where: string;
}

export interface LoadedWorkflow {
  /** Absolute path. */
  path: string;
  /** Path as shown to the user (relative to the working directory). */
  display: string;
  name: string;
  template: WorkflowTemplate;
  root: MappingToken;
  jobs: JobPlan[];
}

export function field(mapping: MappingToken | undefined, key: string): TemplateToken | undefined {
  return mapping?.find(key);
}

export function locate(display: string, token: TemplateToken | undefined): string {
  return token?.line !== undefined ? `${display}:${token.line}` : display;
}

/** Parses and validates a workflow with GitHub's own parser; errors name the file and line. */
export async function loadWorkflow(path: string, cwd = process.cwd()): Promise<LoadedWorkflow> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read workflow ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { file: path },
    );
  }
  const fromBase = relative(cwd, path);
  const display = fromBase && !fromBase.startsWith('..') ? fromBase : path;
  const parsed = parseWorkflow({ name: display, content }, new NoOperationTraceWriter());
  const problems = parsed.context.errors.getErrors().map((error) => error.message);
  if (problems.length > 0 || !parsed.value) {
    throw new UserError(`${display} is not a valid workflow:\n  ${problems.join('\n  ') || 'empty document'}`, {
      file: display,
    });
  }
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  if (template.errors?.length) {
    throw new UserError(
      `${display} is not a valid workflow:\n  ${template.errors.map((error) => error.Message).join('\n  ')}`,
      { file: display },
    );
  }
  const root = parsed.value.assertMapping('workflow');
  const rawJobs = field(root, 'jobs');
  if (!rawJobs || !isMapping(rawJobs)) throw new UserError(`${display}: no jobs`, { file: display });
  const nameToken = field(root, 'name');
  const jobs: JobPlan[] = [];
  for (const job of template.jobs ?? []) {
    const raw = rawJobs.find(job.id.value);
    if (!raw || !isMapping(raw)) continue;
    const where = locate(display, job.id);
    const steps: StepPlan[] = [];
    if (job.type === 'job') {
      const rawSteps = field(raw, 'steps');
      const items: MappingToken[] = [];
      if (rawSteps && isSequence(rawSteps)) for (const item of rawSteps) if (isMapping(item)) items.push(item);
      job.steps.forEach((step, index) => {
        const rawStep = items[index];
        if (!rawStep) return;
        const idToken = field(rawStep, 'id');
        steps.push({
          id: step.id,
          explicitId: Boolean(idToken),
          model: step,
          raw: rawStep,
          where: locate(display, rawStep),
        });
      });
    }
    jobs.push({ id: job.id.value, model: job, raw, needs: (job.needs ?? []).map((need) => need.value), steps, where });
  }
  const workflow: LoadedWorkflow = {
    path,
    display,
    name: nameToken && isString(nameToken) ? nameToken.value : display,
    template,
    root,
    jobs,
  };
  checkSupported(workflow);
  return workflow;
}

/** The key token of a mapping entry (its line is where the feature is named). */
function keyToken(mapping: MappingToken, key: string): TemplateToken | undefined {
  for (const pair of mapping) if (isString(pair.key) && pair.key.value === key) return pair.key;
  return undefined;
}

/** What the local runner cannot do is refused up front, naming the feature and the line. */
function checkSupported(workflow: LoadedWorkflow): void {
  const refuse = (token: TemplateToken | undefined, fallback: string, message: string): never => {
    throw new UserError(`${token ? locate(workflow.display, token) : fallback}: ${message}`, {
      file: workflow.display,
      line: token?.line,
    });
  };
  for (const job of workflow.jobs) {
    const container = keyToken(job.raw, 'container');
    if (container)
      refuse(
        container,
        job.where,
        `job '${job.id}' runs in a container (container:), which the local runner does not support: it runs steps directly on this machine.`,
      );
    const services = keyToken(job.raw, 'services');
    if (services)
      refuse(
        services,
        job.where,
        `job '${job.id}' uses service containers (services:), which the local runner does not support.`,
      );
    for (const step of job.steps) {
      for (const key of ['background', 'wait', 'wait-all', 'cancel', 'parallel']) {
        const token = keyToken(step.raw, key);
        if (token) refuse(token, step.where, `step uses '${key}:', which the local runner does not support.`);
      }
    }
  }
}
