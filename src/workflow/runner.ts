// The local workflow runner's front door. The parts: session (shared state), scheduler (jobs of
// a run, in parallel), job, step, composite, post (pre/post steps), commands (workflow commands),
// contexts, env-file, matrix, inputs, reusable, chain (dispatch chains), summary; hooks are
// how the caller adds behaviour for particular actions.
import { dirname, resolve } from 'node:path';
import { UserError } from '../shared/errors.js';
import { redactDeep } from '../shared/redact.js';
import { armEarlyStart, followDispatches, issueFromPayload, workflowFile } from './chain.js';
import { stringify, type Json } from './expressions.js';
import { triggerInputs } from './inputs.js';
import { loadWorkflow, type LoadedWorkflow } from './load.js';
import { runWorkflow } from './scheduler.js';
import { Session } from './session.js';
import { printSummary, readRecords } from './summary.js';
import { matchTrigger } from './triggers.js';
import type { RunnerOptions, RunRequest, SessionResult } from './types.js';

export { expandMatrix } from './matrix.js';
export type { RunnerOptions, RunRequest, SessionResult } from './types.js';

/** With no --payload: what GitHub would at least put in the event (schedule: the cron that fired). */
function defaultPayload(workflow: LoadedWorkflow, eventName: string): Json {
  if (eventName === 'schedule') {
    const cron = workflow.template.events?.schedule?.[0]?.cron;
    return cron ? { schedule: cron } : {};
  }
  return {};
}

/**
 * workflow_dispatch inputs: --input values over the payload's `inputs`, typed by the declaration;
 * `inputs.*` and `github.event.inputs` agree, as on GitHub.
 */
function dispatchInputs(
  session: Session,
  workflow: LoadedWorkflow,
  request: RunRequest,
  payload: Json,
): Record<string, Json> {
  const event = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : undefined;
  const fromPayload =
    request.event === 'workflow_dispatch' &&
    event?.inputs &&
    typeof event.inputs === 'object' &&
    !Array.isArray(event.inputs)
      ? event.inputs
      : {};
  const inputs = triggerInputs(session, workflow, request.event, { ...fromPayload, ...(request.inputs ?? {}) });
  if (request.event === 'workflow_dispatch' && event)
    event.inputs = Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, stringify(value)]));
  return inputs;
}

/**
 * Runs workflow YAML on this machine: GitHub's parser and expression evaluator, steps as child
 * processes the way the runner starts them, and a loopback GitHub API so dispatch chains and the
 * GitHub tools work end to end.
 */
export class WorkflowRunner {
  private readonly session: Session;

  constructor(options: RunnerOptions = {}) {
    const session: Session = new Session(options, {
      workflowFile: (name) => workflowFile(session, name),
      issue: (number) => issueFromPayload(session, number),
    });
    this.session = session;
  }

  /** Ctrl-C: the running steps are interrupted; always() steps and post steps still run, as on GitHub. */
  cancel(): void {
    this.session.cancelled = true;
    for (const process of this.session.running) process.cancel();
  }

  async run(request: RunRequest): Promise<SessionResult> {
    const session = this.session;
    const path = resolve(request.file);
    session.folder = dirname(path);
    await session.github.start();
    try {
      const workflow = await loadWorkflow(path, session.workspace);
      const payload = request.payload ?? defaultPayload(workflow, request.event);
      const match = matchTrigger(workflow.template.events ?? {}, request.event, payload);
      if (!match.matched)
        throw new UserError(`${workflow.display} does not run on this event: ${match.reason}`, {
          file: workflow.display,
        });
      for (const note of match.notes) session.reporter.note(note, 0);
      const inputs = dispatchInputs(session, workflow, request, payload);
      armEarlyStart(session);
      await runWorkflow(session, workflow, {
        eventName: request.event,
        payload,
        inputs,
        secrets: session.options.secrets ?? {},
        onlyJob: request.job,
      });
      await followDispatches(session);
    } finally {
      await session.github.close();
      if (!session.options.keepTemp) session.removeRoot();
    }
    const result: SessionResult = {
      conclusion: session.cancelled
        ? 'cancelled'
        : session.runs.some((run) => run.conclusion === 'failure')
          ? 'failure'
          : 'success',
      runs: session.runs,
      dispatches: session.dispatchLog,
      github: session.github.activity,
      records: readRecords(session),
    };
    printSummary(session, result);
    return redactDeep(result);
  }
}
