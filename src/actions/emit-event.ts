import * as core from '@actions/core';
import { emitEvent, type EmitResult } from '../events/emit.js';
import { actionsIo } from '../io/actions-io.js';
import type { StepIo } from '../io/io.js';
import { actionEnvironment } from './action-spec.js';
import { inJournaledStep } from '../runs/step.js';
import { type EmitEnvironment, emitEventSpec, waitSpecOf } from './emit-event-inputs.js';
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

/**
 * The emit step, the same for the action and `autostack emit`: inputs validated (waiting
 * included) before anything is sent, secrets registered, the event emitted in a journaled step,
 * the outputs set, and the child run followed when asked.
 */
export async function emitStep(
  read: (name: string) => string | undefined,
  environment: EmitEnvironment,
  io: StepIo,
): Promise<EmitResult> {
  const { spec, secrets } = await emitEventSpec(read, environment);
  for (const secret of secrets) io.setSecret(secret);
  const wait = waitSpecOf(read, spec);
  return inJournaledStep(
    `emit-event ${spec.type}`,
    'emit-event',
    async (step) => {
      const dispatchedAt = new Date();
      const result = await emitEvent(spec, io, step);
      setEmitOutputs(io, result);
      io.info(describeEmit(result));
      // The waiting code loads only when asked to wait.
      if (wait.wait) await (await import('./emit-event-wait.js')).waitAfterEmit(result, spec, wait, io, dispatchedAt);
      return result;
    },
    describeEmit,
  );
}

export async function emitEventMain(): Promise<void> {
  await emitStep((name) => core.getInput(name), actionEnvironment(), actionsIo);
}

function describeEmit(result: EmitResult): string {
  return `${result.duplicate ? 'duplicate' : 'emitted'} ${result.event.type} ${result.event.id} → ${result.outcomes.map((outcome) => outcome.target).join(', ')}`;
}
