import type { EmitResult, EmitSpec } from '../events/emit.js';
import type { ChildResult, WaitSpec } from '../events/wait-child.js';
import type { StepIo } from '../io/io.js';
import { InputError, UserError } from '../shared/errors.js';
import { setActionOutputs } from './outputs.js';

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
