import type { GitHubClient } from '../github/client.js';
import { type ChildRef, type ChildRun, awaitChildRun, defaultPollMs } from '../github/wait.js';
import type { Log } from '../io/io.js';
import { readChildOutputs } from '../runs/child-outputs.js';
import { UserError } from '../shared/errors.js';
import type { EmitResult, EmitSpec } from './emit.js';

/**
 * emit-event's `wait: true`: after the dispatch, follow the child run to its end and collect what
 * it handed back. Kept beside emit.ts rather than inside it: emitting never depends on waiting.
 */

export interface WaitSpec {
  wait: boolean;
  timeoutMs: number;
  failOnChildFailure: boolean;
}

export interface ChildResult extends ChildRun {
  outputs: Record<string, string>;
}

/** The child a dispatch started: its run id when GitHub returned one, else the event id to look for. */
export function childRefOf(result: EmitResult, spec: EmitSpec, dispatchedAt: Date): ChildRef {
  const target = spec.dispatch;
  if (!target)
    throw new UserError(
      "Input 'wait' needs a dispatch target (dispatch-repository and/or dispatch-workflow): there is no child run to wait for.",
    );
  // On a re-run the event (and its time) is the first attempt's; a child started then counts.
  const eventTime = result.event.time ? Date.parse(result.event.time) : Number.NaN;
  const since = new Date(
    Number.isFinite(eventTime) ? Math.min(eventTime, dispatchedAt.getTime()) : dispatchedAt.getTime(),
  );
  return {
    repository: target.repository,
    runId: result.workflowRunId,
    correlationId: result.event.id,
    event: target.workflow ? 'workflow_dispatch' : 'repository_dispatch',
    since,
  };
}

/** Awaits several children together (fan-out, fan-in); each result carries its outputs. */
export async function awaitChildren(
  client: GitHubClient,
  refs: ChildRef[],
  options: { timeoutMs: number; log: Log; pollMs?: number | undefined },
): Promise<ChildResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? defaultPollMs();
  return Promise.all(
    refs.map(async (ref) => {
      const run = await awaitChildRun(client, ref, { deadline, pollMs, log: options.log });
      const { outputs } = await readChildOutputs(client, ref.repository, run.runId, options.log);
      return { ...run, outputs };
    }),
  );
}

/** Throws when a child did not succeed and the caller asked to fail on that. */
export function checkChildren(children: ChildResult[], failOnChildFailure: boolean, log: Log): void {
  const failed = children.filter((child) => child.conclusion !== 'success');
  for (const child of failed) {
    const line = `Child run ${child.runId} in ${child.repository} concluded '${child.conclusion ?? 'unknown'}': ${child.url}`;
    if (!failOnChildFailure) log.warning(line);
  }
  if (failOnChildFailure && failed.length > 0) {
    throw new UserError(
      failed
        .map(
          (child) =>
            `Child run ${child.runId} in ${child.repository} concluded '${child.conclusion ?? 'unknown'}' (${child.url})`,
        )
        .join('; ') + '. Set fail-on-child-failure: false to continue anyway.',
    );
  }
}
