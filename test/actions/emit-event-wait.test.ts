import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startGitHubApi, type GitHubApi } from '../fakes/github-api.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';
import { CLI_BUNDLE, Job, type StepResult, visibleLog } from '../harness/job.js';

const ACTION = 'actions/emit-event';
const TOKEN = 'ghs_waitTestToken987';
const DOWNSTREAM = 'octo-org/downstream';

/** Polls until `probe` returns a value (the test's stand-in for GitHub starting the child). */
async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function log(result: StepResult): string {
  return visibleLog(result);
}

describe('emit-event wait: the parent follows the child run and reads its outputs', () => {
  let github: GitHubApi;
  let results: ResultsService;
  const jobs: Job[] = [];
  before(async () => {
    github = await startGitHubApi({ requireToken: TOKEN, quiet: true });
    results = await startResultsService();
    github.commitFiles(
      {
        '.github/workflows/child.yml':
          'name: child\non:\n  workflow_dispatch:\n    inputs:\n      autostack-event:\n        required: false\njobs: {}\n',
      },
      { repo: DOWNSTREAM },
    );
  });
  after(async () => {
    for (const job of jobs) rmSync(job.root, { recursive: true, force: true });
    await github.close();
    await results.close();
  });

  const parentEnv = () => ({ GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN, AUTOSTACK_WAIT_POLL_MS: '50' });

  /**
   * A real child job on the simulated runner: record-run, `autostack output` from a run: step,
   * then the post step uploads the run record artifact to the results-service fake. Returns
   * that artifact's zip, exactly as @actions/artifact uploaded it.
   */
  async function childRecordZip(outputs: string[]): Promise<Buffer> {
    const child = new Job({ env: { ...results.env(), GITHUB_API_URL: github.url }, githubToken: TOKEN });
    jobs.push(child);
    const start = await child.uses('actions/record-run', { name: 'child', summary: 'false', 'github-token': '' });
    assert.equal(start.exitCode, 0, log(start));
    const out = await child.run(
      `node ${CLI_BUNDLE} output ${outputs.map((pair) => `'${pair}'`).join(' ')}\necho "step sees: $(cat "$GITHUB_OUTPUT" | head -1)"`,
    );
    assert.equal(out.exitCode, 0, log(out));
    const [post] = await child.complete();
    assert.equal(post?.exitCode, 0, (post?.stdout ?? '') + (post?.stderr ?? ''));
    const name = `autostack-run-${start.outputs['run-id'] ?? ''}`;
    const artifact = results.artifacts().find((a) => a.name === name);
    assert.ok(artifact, `the child uploaded ${name}`);
    const files = await results.artifactFiles(name);
    const record = JSON.parse(files.get('run-record.json')?.toString('utf8') ?? '{}') as {
      outputs?: Record<string, string>;
    };
    assert.ok(record.outputs && Object.keys(record.outputs).length > 0, 'the record carries the outputs');
    return artifact.zip;
  }

  test('workflow_dispatch: follows the returned run id and sets child-* outputs from the run record', async () => {
    const parent = new Job({ env: parentEnv(), githubToken: TOKEN });
    jobs.push(parent);
    const running = parent.startUses(ACTION, {
      type: 'com.example.build.requested',
      'dispatch-repository': DOWNSTREAM,
      'dispatch-workflow': 'child.yml',
      wait: 'true',
      'wait-timeout-minutes': '15',
    }).done;
    const dispatch = await until(
      () => github.state.workflowDispatches.find((d) => d.repo === DOWNSTREAM),
      'the workflow_dispatch',
    );
    assert.equal(dispatch.return_run_details, true);
    const zip = await childRecordZip(['version=1.2.3', 'notes=a=b c']);
    github.addArtifact(dispatch.run_id, 'autostack-run-childrun', zip);
    github.setJobs(dispatch.run_id, 1, [{ name: 'build', conclusion: 'success' }], { repo: DOWNSTREAM });
    const result = await running;
    assert.equal(result.exitCode, 0, log(result));
    assert.equal(result.outputs['child-run-id'], String(dispatch.run_id));
    assert.equal(result.outputs['child-conclusion'], 'success');
    assert.match(result.outputs['child-run-url'] ?? '', new RegExp(`/actions/runs/${dispatch.run_id}$`));
    assert.deepEqual(JSON.parse(result.outputs['child-outputs'] ?? ''), { version: '1.2.3', notes: 'a=b c' });
    assert.ok(!log(result).includes(TOKEN), 'token never printed');
    // The artifact came through the REST API's 302 to a signed blob URL.
    assert.ok(github.requests.some((r) => r.path.startsWith('/_artifact-blobs/') && r.status === 200));
  });

  test('repository_dispatch: finds the child by the event id in its run-name; a failed child fails the parent', async () => {
    const parent = new Job({ env: parentEnv(), githubToken: TOKEN });
    jobs.push(parent);
    // A run of another dispatch, started just before: never taken for ours.
    github.addRun({
      repo: DOWNSTREAM,
      name: 'deploy',
      displayTitle: 'deploy 00000000-other-event',
      event: 'repository_dispatch',
    });
    const running = parent.startUses(ACTION, {
      type: 'com.example.deploy.requested',
      'dispatch-repository': DOWNSTREAM,
      wait: 'true',
    }).done;
    const sent = await until(
      () => github.state.dispatches.find((d) => d.event_type === 'com.example.deploy.requested'),
      'the repository_dispatch',
    );
    const eventId = (sent.client_payload.autostack as { id: string }).id;
    // GitHub starts the receiving workflow a moment later; its run-name carries the event id.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const run = github.addRun({
      repo: DOWNSTREAM,
      name: 'deploy',
      displayTitle: `deploy ${eventId}`,
      event: 'repository_dispatch',
    });
    github.setJobs(run.id, 1, [{ name: 'deploy', conclusion: 'failure' }], { repo: DOWNSTREAM });
    const result = await running;
    assert.notEqual(result.exitCode, 0, 'the parent fails with its child');
    assert.equal(result.outputs['child-run-id'], String(run.id));
    assert.equal(result.outputs['child-conclusion'], 'failure');
    assert.match(log(result), new RegExp(`Child run ${run.id} in ${DOWNSTREAM} concluded 'failure'`));
    assert.match(log(result), /no autostack run record/);
    assert.ok(!/\n\s+at /.test(log(result)), 'one clear line, no stack trace');
    const listed = github.requests.filter((r) => r.path === `/repos/${DOWNSTREAM}/actions/runs`);
    assert.ok(
      listed.length >= 1 &&
        listed.every((r) => r.query.event === 'repository_dispatch' && (r.query.created ?? '').startsWith('>=')),
    );
  });

  test('GHES without return_run_details: falls back to correlation; fail-on-child-failure false continues', async () => {
    const parent = new Job({ env: parentEnv(), githubToken: TOKEN });
    jobs.push(parent);
    github.script('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', [
      {
        status: 400,
        body: {
          message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
          documentation_url: 'https://docs.github.com/enterprise-server@3.14/rest',
        },
      },
    ]);
    const before = github.state.workflowDispatches.length;
    const running = parent.startUses(ACTION, {
      type: 'com.example.nightly',
      'dispatch-repository': DOWNSTREAM,
      'dispatch-workflow': 'child.yml',
      wait: 'true',
      'fail-on-child-failure': 'false',
    }).done;
    const dispatch = await until(() => github.state.workflowDispatches[before], 'the retried workflow_dispatch');
    assert.equal(dispatch.return_run_details, false);
    const event = JSON.parse(String(dispatch.inputs['autostack-event'])) as { id: string };
    const run = github.state.runs.get(dispatch.run_id);
    assert.ok(run);
    // The child's `run-name: child ${{ fromJSON(inputs.autostack-event).id }}`.
    run.displayTitle = `child ${event.id}`;
    github.setJobs(dispatch.run_id, 1, [{ name: 'build', conclusion: 'cancelled' }], { repo: DOWNSTREAM });
    const result = await running;
    assert.equal(result.exitCode, 0, log(result));
    assert.equal(result.outputs['workflow-run-id'], '', 'GitHub returned no run id');
    assert.equal(result.outputs['child-run-id'], String(dispatch.run_id));
    assert.equal(result.outputs['child-conclusion'], 'cancelled');
    assert.deepEqual(JSON.parse(result.outputs['child-outputs'] ?? ''), {});
  });

  test('autostack emit --wait: the CLI runs the same emit step and prints the child-* outputs', async () => {
    const parent = new Job({ env: parentEnv(), githubToken: TOKEN });
    jobs.push(parent);
    const before = github.state.workflowDispatches.length;
    const running = parent.startCli([
      'emit',
      '--type',
      'com.example.cli.requested',
      '--dispatch-repository',
      DOWNSTREAM,
      '--dispatch-workflow',
      'child.yml',
      '--wait',
    ]).done;
    const dispatch = await until(() => github.state.workflowDispatches[before], 'the CLI workflow_dispatch');
    github.setJobs(dispatch.run_id, 1, [{ name: 'build', conclusion: 'success' }], { repo: DOWNSTREAM });
    const result = await running;
    assert.equal(result.exitCode, 0, log(result));
    const printed = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
    assert.equal(printed['workflow-run-id'], String(dispatch.run_id));
    assert.equal(printed['child-run-id'], String(dispatch.run_id));
    assert.equal(printed['child-conclusion'], 'success');
    assert.deepEqual(JSON.parse(printed['child-outputs'] ?? ''), {});
    assert.ok(!log(result).includes(TOKEN), 'token never printed');
  });

  test('wait without a dispatch target is refused on one line naming the input', async () => {
    const parent = new Job({ env: parentEnv(), githubToken: TOKEN });
    jobs.push(parent);
    const result = await parent.uses(ACTION, { type: 'com.example.x', wait: 'true' });
    assert.notEqual(result.exitCode, 0);
    assert.match(log(result), /Input 'wait' needs a dispatch target/);
  });
});
