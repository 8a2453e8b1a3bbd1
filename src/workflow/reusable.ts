// A job that is one `uses:` of a reusable workflow: with (typed), secrets (or inherit), outputs.
import { isBoolean, isMapping, isString } from '@actions/workflow-parser';
import { UserError } from '../shared/errors.js';
import { resolveReusableWorkflow } from './actions.js';
import { secretsContext } from './contexts.js';
import { type Contexts, evaluateStringMap, evaluateToken, type Json } from './expressions.js';
import { triggerInputs } from './inputs.js';
import type { Lanes } from './lanes.js';
import { field, type JobPlan, loadWorkflow, type LoadedWorkflow, locate } from './load.js';
import { runWorkflow } from './scheduler.js';
import type { Session } from './session.js';
import type { JobResult, RunScope } from './types.js';

function requireSecrets(
  called: LoadedWorkflow,
  secrets: Record<string, string>,
  inherit: boolean,
  where: string,
): void {
  const on = field(called.root, 'on');
  const call = on && isMapping(on) ? on.find('workflow_call') : undefined;
  const declared = call && isMapping(call) ? call.find('secrets') : undefined;
  if (!declared || !isMapping(declared)) return;
  for (const pair of declared) {
    const name = isString(pair.key) ? pair.key.value : '';
    const required = isMapping(pair.value) ? pair.value.find('required') : undefined;
    if (required && isBoolean(required) && required.value && !(name in secrets) && !inherit) {
      throw new UserError(
        `${where}: ${called.display} requires secret '${name}'; pass it under secrets: (or secrets: inherit).`,
      );
    }
  }
}

export async function runReusableJob(
  session: Session,
  scope: RunScope,
  plan: JobPlan,
  contexts: Contexts,
  name: string,
  lanes: Lanes,
): Promise<JobResult> {
  const started = Date.now();
  const model = plan.model;
  if (model.type !== 'reusableWorkflowJob') throw new Error('not a reusable workflow job');
  const where = locate(scope.workflow.display, model.ref);
  const called = await loadWorkflow(
    resolveReusableWorkflow(model.ref.value, session.workspace, where),
    session.workspace,
  );
  if (!called.template.events?.workflow_call)
    throw new UserError(`${where}: ${called.display} cannot be called: it has no on.workflow_call trigger.`);
  if (scope.depth >= 3)
    throw new UserError(`${where}: reusable workflows nest at most 4 levels deep (GitHub's limit).`);
  const token = session.issueToken({
    workflow: scope.workflow.name,
    job: `${scope.prefix}${plan.id}`,
    runId: scope.runId,
  });
  const given: Record<string, Json> = {};
  const withToken = model['input-values'];
  if (withToken && isMapping(withToken)) {
    for (const pair of withToken)
      given[isString(pair.key) ? pair.key.value : ''] = evaluateToken(pair.value, {
        contexts,
        where: locate(scope.workflow.display, pair.value),
      });
  }
  const inputs = triggerInputs(session, called, 'workflow_call', given, where);
  let secrets: Record<string, string> = {};
  if (model['inherit-secrets']) secrets = { ...scope.secrets };
  else if (model['secret-values'])
    secrets = evaluateStringMap(model['secret-values'], {
      contexts: { ...contexts, secrets: secretsContext(scope, token) },
      where,
    });
  requireSecrets(called, secrets, Boolean(model['inherit-secrets']), where);
  const lane = lanes.lane();
  try {
    const result = await runWorkflow(session, called, {
      eventName: scope.eventName,
      payload: scope.payload,
      inputs,
      secrets,
      call: { parent: scope, jobId: plan.id },
      reporter: scope.reporter.to(lane),
    });
    return {
      id: plan.id,
      name,
      result: result.conclusion,
      outputs: result.outputs,
      steps: [],
      durationMs: Date.now() - started,
      called: result,
    };
  } finally {
    lane.close();
  }
}
