import type { EmitResult, EmitSpec } from '../events/emit.js';
import type { ChildResult, WaitSpec } from '../events/wait-child.js';
import type { StepIo } from '../io/io.js';
import { InputError, UserError } from '../shared/errors.js';
import { input, readInputs } from '../shared/inputs.js';
import { setActionOutputs } from './outputs.js';

/** emit-event's wait inputs (kept apart from the emit inputs: waiting is a step after emitting). */
export const emitEventWaitInputs = {
  wait: input.boolean(false),
  'wait-timeout-minutes': input.integer({ min: 1, max: 6 * 60, default: 60 }),
  'fail-on-child-failure': input.boolean(true),
};

export function waitSpecOf(read: (name: string) => string | undefined, spec: EmitSpec): WaitSpec {
  const inputs = readInputs(emitEventWaitInputs, read);
  if (inputs.wait && !spec.dispatch) {
    throw new InputError(
      'wait',
      'needs a dispatch target (dispatch-repository and/or dispatch-workflow): there is no child run to wait for',
    );
  }
  return {
    wait: inputs.wait,
    timeoutMs: inputs['wait-timeout-minutes'] * 60_000,
    failOnChildFailure: inputs['fail-on-child-failure'],
  };
}

/** Follows the child the emit started, sets the child-* outputs, and fails when asked to. */
export async function waitAfterEmit(
  result: EmitResult,
  spec: EmitSpec,
  wait: WaitSpec,
  io: StepIo,
  dispatchedAt: Date,
): Promise<ChildResult> {
  const target = spec.dispatch;
  if (!target) throw new InputError('wait', 'needs a dispatch target');
  if (!result.dispatched)
    throw new UserError(
      `Event ${result.event.id} could not be dispatched (it is kept in the outbox), so there is no child run to wait for.`,
    );
  const { awaitChildren, checkChildren, childRefOf } = await import('../events/wait-child.js');
  const client = await spec.ports.github({ token: target.token, apiUrl: target.apiUrl }, io);
  const ref = childRefOf(result, spec, dispatchedAt);
  if (ref.runId === undefined)
    io.info(`GitHub returned no run id; looking for the run whose name carries the event id ${result.event.id}.`);
  const [child] = await awaitChildren(client, [ref], { timeoutMs: wait.timeoutMs, log: io });
  if (!child) throw new Error('no child result');
  setActionOutputs(io, 'emit-event', {
    'child-run-id': String(child.runId),
    'child-run-url': child.url,
    'child-conclusion': child.conclusion ?? '',
    'child-outputs': JSON.stringify(child.outputs),
  });
  io.info(
    `Child run ${child.runId} concluded '${child.conclusion ?? 'unknown'}' with ${Object.keys(child.outputs).length} output(s): ${child.url}`,
  );
  checkChildren([child], wait.failOnChildFailure, io);
  return child;
}
