import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../shared/package-paths.js';
import { type Json } from '../workflow/expressions.js';
import { WorkflowRunner } from '../workflow/runner.js';
import { autostackStepHooks } from './workflow-hooks.js';

export const DEMO_WORKFLOW = 'workflows-examples/issue-triage.yml';
export const DEMO_EVENT = 'workflows-examples/events/issue-opened.json';

/**
 * `npm run demo`: the issue-triage example, run by the local workflow runner on a bundled
 * sample event — classify with a prompt (replayed answers: no key, no network), label through
 * the GitHub tool (the runner's loopback GitHub API), emit an event (a JSON Lines file, and
 * Redis when REDIS_URL is set) whose repository_dispatch starts the follow-up workflow, and
 * a run record per job.
 */
export async function runDemo(
  options: { quiet?: boolean; workspace?: string | undefined; out?: NodeJS.WritableStream } = {},
): Promise<number> {
  const out = options.out ?? process.stdout;
  // The demo writes run records and events: into a workspace of its own (a copy of the
  // examples), never into the installed package or the checkout it ships from.
  const root = demoWorkspace(options.workspace);
  const payload = JSON.parse(readFileSync(join(root, DEMO_EVENT), 'utf8')) as Json;
  const redisUrl = process.env.REDIS_URL;
  out.write(
    [
      'autostack demo: the issue-triage example workflow, run on this machine.',
      `  workflow  ${DEMO_WORKFLOW}`,
      `  event     issues.opened from ${DEMO_EVENT}`,
      '  model     replayed answers (provider replay: no API key, no network)',
      `  events    .autostack/events.jsonl${redisUrl ? ' and Redis (REDIS_URL)' : ' (set REDIS_URL to publish to Redis too)'}`,
      '  GitHub    a loopback GitHub API (labels, dispatches) run by the runner',
      `  workspace ${root} (run records in .autostack/runs: autostack runs list --directory ${join(root, '.autostack', 'runs')})`,
      '',
    ].join('\n'),
  );
  const runner = new WorkflowRunner({
    workspace: root,
    repository: 'octo-org/octo-repo',
    secrets: redisUrl ? { REDIS_URL: redisUrl } : {},
    env: { AUTOSTACK_PROVIDER: 'replay' },
    out,
    quiet: options.quiet ?? false,
    hooks: autostackStepHooks(),
  });
  const onSignal = () => runner.cancel();
  process.once('SIGINT', onSignal);
  try {
    const result = await runner.run({ file: join(root, DEMO_WORKFLOW), event: 'issues', payload });
    return result.conclusion === 'success' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** A copy of the examples to run in: the folder given (--workspace), else a new temp folder that is kept for a look. */
function demoWorkspace(workspace: string | undefined): string {
  const root = workspace ? resolve(workspace) : mkdtempSync(join(tmpdir(), 'autostack-demo-'));
  mkdirSync(root, { recursive: true });
  cpSync(join(packageRoot(), 'workflows-examples'), join(root, 'workflows-examples'), { recursive: true });
  return root;
}
