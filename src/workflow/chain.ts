// Dispatch chains: the repository_dispatch / workflow_dispatch requests steps sent to the
// loopback API, and on: workflow_run, start the matching workflows of the same folder.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../shared/errors.js';
import { type Json, stringify } from './expressions.js';
import { triggerInputs } from './inputs.js';
import { loadWorkflow, type LoadedWorkflow } from './load.js';
import type { DispatchRequest } from './local-github.js';
import { runWorkflow } from './scheduler.js';
import type { Session } from './session.js';
import { matchTrigger } from './triggers.js';
import type { WorkflowRunResult } from './types.js';
import { splitRepository } from '../github/repository.js';

/**
 * Lets a parent that polls a run it dispatched (emit-event wait) start that run at once. Armed
 * before the first workflow runs: the parent polls while it is still running.
 */
export function armEarlyStart(session: Session): void {
  const maxRuns = session.options.maxRuns ?? 20;
  session.startWanted = (runId) => startWanted(session, runId, maxRuns);
}

export async function followDispatches(session: Session): Promise<void> {
  const maxRuns = session.options.maxRuns ?? 20;
  armEarlyStart(session);
  while (session.queue.length > 0 || session.inflight.length > 0) {
    const request = session.queue.shift();
    if (!request) {
      await Promise.all(session.inflight.splice(0));
      continue;
    }
    if (request.kind === 'workflow_run') {
      await followWorkflowRun(session, request.run, maxRuns);
      continue;
    }
    await followDispatch(session, request, maxRuns);
  }
}

/** A parent polls a run it dispatched (emit-event wait): start that run now, beside the parent, instead of after it. */
function startWanted(session: Session, runId: number, maxRuns: number): void {
  const index = session.queue.findIndex((item) => item.kind !== 'workflow_run' && item.runId === runId);
  const request = session.queue[index];
  if (!request || request.kind === 'workflow_run' || session.options.followDispatches === false) return;
  session.queue.splice(index, 1);
  session.inflight.push(
    followDispatch(session, request, maxRuns).catch((error: unknown) => {
      session.reporter.line(
        `error: dispatched run ${runId}: ${error instanceof Error ? error.message : String(error)}`,
      );
      const view = session.dispatchedRuns.get(runId);
      if (view) Object.assign(view, { status: 'completed', conclusion: 'failure' });
    }),
  );
}

async function followDispatch(session: Session, request: DispatchRequest, maxRuns: number): Promise<void> {
  const view = session.dispatchedRuns.get(request.runId);
  if (view) view.status = 'in_progress';
  const from = `${request.from.workflow} / ${request.from.job}`;
  const entry = {
    kind: request.kind,
    repository: request.repository,
    ...(request.eventType ? { eventType: request.eventType } : {}),
    ...(request.workflow ? { workflow: request.workflow } : {}),
    from,
    started: [] as string[],
  };
  session.dispatchLog.push(entry);
  const what =
    request.kind === 'repository_dispatch'
      ? `repository_dispatch '${request.eventType}'`
      : `workflow_dispatch of ${request.workflow}`;
  if (request.repository.toLowerCase() !== session.repository.toLowerCase()) {
    session.reporter.line(`\n↪ ${what} to ${request.repository} (from ${from}): another repository, not run locally`);
    return;
  }
  if (session.options.followDispatches === false) {
    session.reporter.line(`\n↪ ${what} (from ${from}): not followed (--no-follow)`);
    return;
  }
  const targets = await dispatchTargets(session, request);
  if (targets.length === 0) {
    session.reporter.line(`\n↪ ${what} (from ${from}): no workflow in ${session.folder} runs on it`);
    return;
  }
  for (const { workflow, eventName, payload, inputs } of targets) {
    if (session.runs.length >= maxRuns) {
      throw new UserError(
        `dispatch chain stopped: more than ${maxRuns} workflow runs in one session (a dispatch loop?). Raise --max-runs if the chain is meant to be this long.`,
      );
    }
    session.reporter.line(`\n↪ ${what} (from ${from}) starts ${workflow.display}`);
    entry.started.push(workflow.display);
    const result = await runWorkflow(session, workflow, {
      eventName,
      payload,
      inputs,
      secrets: session.options.secrets ?? {},
      triggeredBy: `${what} from ${from}`,
      runId: request.runId,
    });
    if (view)
      Object.assign(view, {
        name: result.workflow,
        records: result.records,
        conclusion: result.conclusion,
      });
  }
  if (view) Object.assign(view, { status: 'completed', conclusion: view.conclusion ?? 'success' });
}

/** on: workflow_run — a finished run starts the folder's workflows that listen for it. */
async function followWorkflowRun(session: Session, run: WorkflowRunResult, maxRuns: number): Promise<void> {
  const { owner, repo: name } = splitRepository(session.repository);
  const payload: Json = {
    action: 'completed',
    workflow_run: {
      id: run.runId,
      name: run.workflow,
      path: run.file,
      event: run.event,
      status: 'completed',
      conclusion: run.conclusion,
      head_branch: session.ref.replace('refs/heads/', ''),
      head_sha: session.sha,
      html_url: `https://github.com/${session.repository}/actions/runs/${run.runId}`,
    },
    workflow: { name: run.workflow, path: run.file },
    repository: { full_name: session.repository, name, owner: { login: owner } },
    sender: { login: 'octocat', type: 'User' },
  };
  for (const workflow of await folderWorkflows(session)) {
    if (!matchTrigger(workflow.template.events ?? {}, 'workflow_run', payload).matched) continue;
    if (session.options.followDispatches === false) {
      session.reporter.line(
        `\n↪ workflow_run of '${run.workflow}' would start ${workflow.display}: not followed (--no-follow)`,
      );
      continue;
    }
    if (session.runs.length >= maxRuns) {
      throw new UserError(
        `workflow chain stopped: more than ${maxRuns} workflow runs in one session (a workflow_run loop?). Raise --max-runs if the chain is meant to be this long.`,
      );
    }
    session.reporter.line(`\n↪ workflow_run of '${run.workflow}' (${run.conclusion}) starts ${workflow.display}`);
    session.dispatchLog.push({
      kind: 'workflow_run',
      repository: session.repository,
      workflow: run.workflow,
      from: run.file,
      started: [workflow.display],
    });
    await runWorkflow(session, workflow, {
      eventName: 'workflow_run',
      payload,
      inputs: {},
      secrets: session.options.secrets ?? {},
      triggeredBy: `workflow_run of '${run.workflow}'`,
    });
  }
}

async function folderWorkflows(session: Session): Promise<LoadedWorkflow[]> {
  const files = readdirSync(session.folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  const workflows: LoadedWorkflow[] = [];
  for (const name of files) {
    const path = join(session.folder, name);
    let loaded = session.workflowCache.get(path);
    if (!loaded) {
      try {
        loaded = await loadWorkflow(path, session.workspace);
      } catch (error) {
        loaded = error as Error;
        session.reporter.line(
          `warning: ${name} is not considered for dispatches: ${(error as Error).message.split('\n')[0]}`,
        );
      }
      session.workflowCache.set(path, loaded);
    }
    if (!(loaded instanceof Error)) workflows.push(loaded);
  }
  return workflows;
}

async function dispatchTargets(
  session: Session,
  request: DispatchRequest,
): Promise<Array<{ workflow: LoadedWorkflow; eventName: string; payload: Json; inputs: Record<string, Json> }>> {
  const sender = { login: 'github-actions[bot]', type: 'Bot' };
  const { owner, repo } = splitRepository(session.repository);
  const repository = { full_name: session.repository, name: repo, owner: { login: owner } };
  if (request.kind === 'repository_dispatch') {
    const payload: Json = {
      action: request.eventType ?? '',
      branch: session.ref.replace('refs/heads/', ''),
      client_payload: request.clientPayload ?? {},
      repository,
      sender,
    };
    const targets = [];
    for (const workflow of await folderWorkflows(session)) {
      if (matchTrigger(workflow.template.events ?? {}, 'repository_dispatch', payload).matched) {
        targets.push({ workflow, eventName: 'repository_dispatch', payload, inputs: {} });
      }
    }
    return targets;
  }
  const file = workflowFile(session, request.workflow ?? '');
  if (!file) return [];
  const workflow = await loadWorkflow(join(session.folder, basename(file.path)), session.workspace);
  if (!workflow.template.events?.workflow_dispatch) {
    throw new UserError(
      `workflow_dispatch of ${workflow.display}: the workflow has no on.workflow_dispatch trigger (GitHub answers 422).`,
    );
  }
  const raw = Object.fromEntries(Object.entries(request.inputs ?? {}).map(([key, value]) => [key, stringify(value)]));
  const inputs = triggerInputs(session, workflow, 'workflow_dispatch', raw);
  const payload: Json = {
    inputs: raw,
    ref: request.ref ?? session.ref,
    repository,
    sender,
    workflow: `.github/workflows/${basename(file.path)}`,
  };
  return [{ workflow, eventName: 'workflow_dispatch', payload, inputs }];
}

export function workflowFile(session: Session, name: string): { path: string; name: string } | undefined {
  const file = readdirSync(session.folder).find((candidate) => candidate === name || candidate === `${name}.yml`);
  if (!file) return undefined;
  return { path: join(session.folder, file), name: file };
}

export function issueFromPayload(session: Session, number: number): Record<string, Json> | undefined {
  const payload = session.currentPayload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  for (const key of ['issue', 'pull_request']) {
    const item = payload[key];
    if (item && typeof item === 'object' && !Array.isArray(item) && item.number === number) return item;
  }
  return undefined;
}
