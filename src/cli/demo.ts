import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../workflow/actions.js';
import { type Json } from '../workflow/expressions.js';
import { WorkflowRunner } from '../workflow/runner.js';

export const DEMO_WORKFLOW = 'workflows-examples/issue-triage.yml';
export const DEMO_EVENT = 'workflows-examples/events/issue-opened.json';

/**
 * `npm run demo`: the issue-triage example, run by the local workflow runner on a bundled
 * sample event — classify with a prompt (replayed answers: no key, no network), label through
 * the GitHub tool (the runner's loopback GitHub API), emit an event (a JSON Lines file, and
 * Redis when REDIS_URL is set) whose repository_dispatch starts the follow-up workflow, and
 * a run record per job.
 */
export async function runDemo(options: { quiet?: boolean; out?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const root = packageRoot();
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
