import type { StepIo } from '../io/io.js';

/**
 * Each action's output names, defined once (like actions/cache's constants.ts) and checked against
 * its action.yml by test/actions/names.test.ts. Inputs are defined once as the zod shapes in
 * `*-inputs.ts`; record-run's state names are RUN_STATE in src/runs/start-run.ts.
 */
export const ACTION_OUTPUTS = {
  'run-prompt': [
    'text',
    'json',
    'response-file',
    'stop-reason',
    'model',
    'input-tokens',
    'output-tokens',
    'cost-usd',
    'prompt-version',
    'content-hash',
    'fingerprint',
    'cache-hit',
    'tool-calls',
    'batch-items',
    'batch-ok',
    'batch-failed',
    'batch-skipped',
    'batch-results-file',
    'message-batch-id',
  ],
  'emit-event': [
    'event-id',
    'idempotency-key',
    'stream-entry-id',
    'dispatched',
    'duplicate',
    'workflow-run-id',
    'workflow-run-url',
    'event',
    'child-run-id',
    'child-run-url',
    'child-conclusion',
    'child-outputs',
  ],
  'record-run': ['run-id', 'journal'],
  'promote-prompt': [
    'version',
    'content-hash',
    'previous-version',
    'pass-rate',
    'promoted',
    'refused',
    'pull-request-url',
    'pull-request-number',
    'committed-sha',
  ],
} as const;

export type ActionName = keyof typeof ACTION_OUTPUTS;
/** A step may set some of its outputs (emit-event sets the child-* ones only when it waits). */
export type OutputValues<A extends ActionName> = Partial<Record<(typeof ACTION_OUTPUTS)[A][number], string>>;

/**
 * Sets every output of the action, in action.yml's order, in one write to the runner's output
 * file (actions-io.ts); an undefined value is left unset.
 */
export function setActionOutputs<A extends ActionName>(io: StepIo, action: A, values: OutputValues<A>): void {
  const names: readonly (typeof ACTION_OUTPUTS)[A][number][] = ACTION_OUTPUTS[action];
  const outputs: [string, string][] = [];
  for (const name of names) {
    const value = values[name];
    if (value !== undefined) outputs.push([name, value]);
  }
  io.setOutputs(outputs);
}
