// The pre and post steps of node actions: pre steps run when the job starts (for actions the
// runner resolves at job setup, not local ./ ones), post steps once at the end, last first.
import { evaluateCondition } from './expressions.js';
import { executeStep } from './commands.js';
import { processEnv, stepContexts, stepStatus } from './contexts.js';
import type { Conclusion } from './reporter.js';
import type { Session } from './session.js';
import { addApiStep, collectStepFiles, inputEnv, newStepFiles } from './step-support.js';
import type { JobRuntime, NodeAction, PostStep } from './types.js';

/** A pre or post step: what the post step keeps, and which entry it runs under what condition. */
interface HookStep extends PostStep {
  entry: string;
  condition: string;
}

async function runActionHook(session: Session, runtime: JobRuntime, step: HookStep): Promise<Record<string, string>> {
  const depth = runtime.scope.depth;
  const contexts = stepContexts(session, runtime, { action: step.id, action_path: step.action.directory });
  const condition = step.condition.replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
  if (!evaluateCondition(condition, { contexts, status: stepStatus(session, runtime), where: step.action.directory })) {
    runtime.reporter.stepEnd(
      step.name,
      'skipped',
      'skipped',
      0,
      `${step.name.startsWith('Pre') ? 'pre-if' : 'post-if'}: ${condition}`,
      depth,
    );
    return {};
  }
  const apiStep = addApiStep(runtime, step.name, 'in_progress');
  const started = Date.now();
  const files = newStepFiles(runtime);
  const state = Object.fromEntries(Object.entries(step.state).map(([key, value]) => [`STATE_${key}`, value]));
  const env = processEnv(session, runtime, { ...files }, step.env, {
    ...inputEnv(step.inputs),
    ...state,
    GITHUB_ACTION: step.id,
    GITHUB_ACTION_PATH: step.action.directory,
  });
  runtime.reporter.stepStart(step.name, step.action.label, depth);
  const outcome = await executeStep(session, runtime, session.nodePath, [step.entry], {
    cwd: session.workspace,
    env,
    timeoutMs: 5 * 60_000,
    depth,
    allowUnsecure: false,
  });
  const collected = collectStepFiles(runtime, files);
  const error = outcome.error ?? (outcome.timedOut ? 'timed out' : undefined);
  const result: Conclusion = error ? 'failure' : 'success';
  if (result === 'failure') runtime.failed = true;
  apiStep.status = 'completed';
  apiStep.conclusion = result;
  apiStep.completed_at = new Date().toISOString();
  runtime.results.push({
    id: `${step.name.startsWith('Pre') ? 'pre' : 'post'}-${step.id}`,
    name: step.name,
    outcome: result,
    conclusion: result,
    outputs: {},
    durationMs: Date.now() - started,
    annotations: outcome.effects.annotations,
    ...(error ? { error } : {}),
  });
  runtime.reporter.stepEnd(step.name, result, result, Date.now() - started, error ?? '', depth);
  return { ...outcome.effects.state, ...collected.state };
}

/** Post steps run once, last registered first, whatever happened to the job. */
export async function runPosts(session: Session, runtime: JobRuntime): Promise<void> {
  const posts = runtime.posts.splice(0).reverse();
  for (const post of posts) await runPost(session, runtime, post);
}

async function runPost(session: Session, runtime: JobRuntime, post: PostStep): Promise<void> {
  await runActionHook(session, runtime, { ...post, entry: post.action.post ?? '', condition: post.action.postIf });
}

/** A pre step, run when the job starts with the action's inputs. */
export async function runPre(
  session: Session,
  runtime: JobRuntime,
  pre: { name: string; id: string; action: NodeAction; inputs: Record<string, string>; env: Record<string, string> },
): Promise<void> {
  await runActionHook(session, runtime, {
    ...pre,
    entry: pre.action.pre ?? '',
    condition: pre.action.preIf,
    state: {},
  });
}
