import * as core from '@actions/core';
import { emitEvent, type EmitResult } from '../events/emit.js';
import { actionsIo } from '../io/actions-io.js';
import { readGitHubContext } from '../io/github-context.js';
import type { StepIo } from '../io/io.js';
import { runnerPorts } from '../ports/runner.js';
import { inJournaledStep } from '../runs/step.js';
import { emitEventSpec } from './emit-event-inputs.js';
import { waitAfterEmit, waitSpecOf } from './emit-event-wait.js';
import { setActionOutputs } from './outputs.js';

export function setEmitOutputs(io: StepIo, result: EmitResult): void {
  setActionOutputs(io, 'emit-event', {
    'event-id': result.event.id,
    'idempotency-key': result.event.idempotencykey,
    'stream-entry-id': result.streamEntryId ?? '',
    dispatched: String(result.dispatched),
    duplicate: String(result.duplicate),
    'workflow-run-id': result.workflowRunId === undefined ? '' : String(result.workflowRunId),
    'workflow-run-url': result.workflowRunUrl ?? '',
    event: JSON.stringify(result.event),
  });
}

export async function emitEventMain(): Promise<void> {
  const env = process.env;
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const { spec, secrets } = emitEventSpec((name) => core.getInput(name), {
    env,
    github: readGitHubContext(),
    workspace,
    ports: runnerPorts(env),
  });
  for (const secret of secrets) actionsIo.setSecret(secret);
  const wait = waitSpecOf((name) => core.getInput(name), spec);
  await inJournaledStep(
    `emit-event ${spec.type}`,
    'emit-event',
    async (step) => {
      const dispatchedAt = new Date();
      const result = await emitEvent(spec, actionsIo, step);
      setEmitOutputs(actionsIo, result);
      actionsIo.info(describeEmit(result));
      if (wait.wait) await waitAfterEmit(result, spec, wait, actionsIo, dispatchedAt);
      return result;
    },
    describeEmit,
  );
}

function describeEmit(result: EmitResult): string {
  return `${result.duplicate ? 'duplicate' : 'emitted'} ${result.event.type} ${result.event.id} → ${result.outcomes.map((outcome) => outcome.target).join(', ')}`;
}
