import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { recordRunInputs, recordRunOptions } from '../../src/actions/record-run.js';
import { readInputs } from '../../src/shared/inputs.js';
import { startGitHubApi } from '../fakes/github-api.js';
import { startResultsService } from '../fakes/results-service.js';
import { Job, REPO_ROOT, visibleLog } from '../harness/job.js';
import { forSuite } from '../harness/fixtures.js';

const ACTION = 'actions/record-run';

function readRecord(job: Job, runId: string): Record<string, unknown> & { status: string } {
  return JSON.parse(readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`), 'utf8')) as Record<
    string,
    unknown
  > & { status: string };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('record-run through its bundle', () => {
  const results = forSuite(
    () => startResultsService(),
    (service) => service.close(),
  );

  test('uploads the run record as an artifact whose bytes are the record', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'nightly triage', 'retention-days': '14' });
    assert.equal(main.exitCode, 0, main.stdout + main.stderr);
    const runId = main.outputs['run-id'] ?? '';
    assert.match(runId, /^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    assert.equal(main.exported.AUTOSTACK_RUN_ID, runId);
    assert.equal(main.outputs.journal, main.exported.AUTOSTACK_JOURNAL);

    assert.equal((await job.cli(['log', 'classified the issue', '--data', '{"label":"bug"}'])).exitCode, 0);
    const step = await job.cli(['step', '--name', 'lint', '--', 'bash', '-c', 'echo linting']);
    assert.equal(step.exitCode, 0, step.stderr);

    const [post] = await job.complete();
    assert.ok(post);
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);

    const local = readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`));
    const artifact = results()
      .artifacts()
      .find((candidate) => candidate.name === `autostack-run-${runId}`);
    assert.ok(artifact, 'artifact uploaded');
    assert.equal(artifact.retentionDays, 14);
    const files = await results().artifactFiles(`autostack-run-${runId}`);
    assert.deepEqual([...files.keys()], ['run-record.json']);
    assert.ok(files.get('run-record.json')?.equals(local), 'artifact bytes are the run record');

    const record = JSON.parse(local.toString()) as {
      schema: string;
      runId: string;
      name: string;
      status: string;
      statusSource: string;
      github: Record<string, string>;
      steps: Array<{ name: string; status: string; durationMs: number }>;
      events: Array<{ type: string }>;
      journal: { corruptLines: unknown[] };
    };
    assert.equal(record.schema, 'autostack.run-record/v1');
    assert.equal(record.runId, runId);
    assert.equal(record.name, 'nightly triage');
    assert.equal(record.status, 'success');
    assert.equal(record.statusSource, 'journal');
    assert.equal(record.github.repository, 'octo-org/octo-repo');
    assert.equal(record.github.runId, '4242');
    assert.deepEqual(
      record.steps.map((s) => [s.name, s.status]),
      [['lint', 'success']],
    );
    assert.deepEqual(
      record.events.map((event) => event.type),
      ['run.started', 'log', 'step.started', 'step.finished'],
    );
    assert.deepEqual(record.journal.corruptLines, []);
    assert.match(post.summary, /autostack run `nightly triage`: success/);
    assert.match(post.summary, /\| lint \| run \| ✅ success \|/);
    assert.match(post.summary, new RegExp(`artifact \`autostack-run-${runId}\``));
  });

  test('an earlier step that failed makes a failure record, still uploaded', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'build' });
    const runId = main.outputs['run-id'] ?? '';
    const failing = await job.cli(['step', '--name', 'tests', '--', 'bash', '-c', 'echo boom >&2; exit 3']);
    assert.equal(failing.exitCode, 3);
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    const record = readRecord(job, runId) as unknown as {
      status: string;
      errors: Array<{ message: string }>;
      steps: Array<{ status: string; error: string }>;
    };
    assert.equal(record.status, 'failure');
    assert.equal(record.steps[0]?.status, 'failure');
    assert.match(record.errors[0]?.message ?? '', /exited with code 3/);
    assert.ok(
      results()
        .artifacts()
        .some((artifact) => artifact.name === `autostack-run-${runId}`),
    );
    assert.match(post?.summary ?? '', /❌ autostack run `build`: failure/);
  });

  test('a corrupt or truncated journal line is kept and flagged, not fatal', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'corrupt' });
    const runId = main.outputs['run-id'] ?? '';
    const journal = main.exported.AUTOSTACK_JOURNAL ?? '';
    appendFileSync(journal, '{"v":1,"ts":"2026-11-25T00:00:00Z","run":"x","type":"log","lev\n');
    appendFileSync(journal, '{"v":1,"type":"no.such.event"}\n');
    await job.cli(['log', 'still here']);
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    assert.ok(
      post?.warnings.some((warning) => warning.includes('2 journal line(s)')),
      post?.stdout,
    );
    const record = readRecord(job, runId) as unknown as {
      status: string;
      journal: { corruptLines: Array<{ line: number; problem: string }> };
      events: Array<{ type: string }>;
    };
    assert.equal(record.status, 'success');
    assert.deepEqual(
      record.journal.corruptLines.map((line) => line.line),
      [2, 3],
    );
    assert.match(record.journal.corruptLines[0]?.problem ?? '', /not valid JSON/);
    assert.deepEqual(
      record.events.map((event) => event.type),
      ['run.started', 'log'],
    );
    assert.match(post?.summary ?? '', /2 journal line\(s\) could not be read/);
  });

  test('a cancelled job (SIGINT to the running step) records status cancelled', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'long job' });
    const runId = main.outputs['run-id'] ?? '';
    const journal = main.exported.AUTOSTACK_JOURNAL ?? '';
    const running = job.startCli(['step', '--name', 'deploy', '--', 'sleep', '30']);
    await waitFor(() => readFileSync(journal, 'utf8').includes('step.started'), 'the step to start');
    running.child.kill('SIGINT');
    const cancelled = await running.done;
    assert.equal(cancelled.exitCode, 130);
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    const record = readRecord(job, runId) as unknown as {
      status: string;
      steps: Array<{ status: string; error: string }>;
    };
    assert.equal(record.status, 'cancelled');
    assert.equal(record.steps[0]?.status, 'cancelled');
    assert.ok(
      results()
        .artifacts()
        .some((artifact) => artifact.name === `autostack-run-${runId}`),
    );
  });

  test('a step killed outright is recorded as interrupted and the run as cancelled', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'killed' });
    const runId = main.outputs['run-id'] ?? '';
    const journal = main.exported.AUTOSTACK_JOURNAL ?? '';
    const running = job.startCli(['step', '--name', 'hang', '--', 'sleep', '30']);
    await waitFor(() => readFileSync(journal, 'utf8').includes('step.started'), 'the step to start');
    running.child.kill('SIGKILL');
    await running.done;
    await job.complete();
    const record = readRecord(job, runId) as unknown as { status: string; steps: Array<{ status: string }> };
    assert.equal(record.status, 'cancelled');
    assert.equal(record.steps[0]?.status, 'interrupted');
  });

  test('a failed artifact upload keeps the record locally and warns', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'upload fails' });
    const runId = main.outputs['run-id'] ?? '';
    results().failNext('CreateArtifact', { status: 403, body: { code: 'permission_denied', msg: 'no' } });
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    assert.ok(
      post?.warnings.some((warning) => warning.includes('could not upload the run record')),
      post?.stdout,
    );
    assert.equal(readRecord(job, runId).status, 'success');
  });

  test('artifact: false writes only the local record', async () => {
    const job = new Job({ env: results().env() });
    const before = results().artifacts().length;
    const main = await job.uses(ACTION, { artifact: 'false', directory: 'records' });
    const runId = main.outputs['run-id'] ?? '';
    await job.complete();
    assert.equal(results().artifacts().length, before);
    const record = JSON.parse(readFileSync(join(job.workspace, 'records', `${runId}.json`), 'utf8')) as {
      name: string;
    };
    assert.equal(record.name, 'Issue triage / triage');
  });
});

describe('record-run with the GitHub jobs API', () => {
  const github = forSuite(
    () => startGitHubApi(),
    (service) => service.close(),
  );

  test('a plain run: step that failed (seen only by GitHub) makes the run a failure; the token stays secret', async () => {
    const token = 'ghs_SENTINELtoken0123456789abcdef';
    const job = new Job({ env: { GITHUB_API_URL: github().url }, githubToken: token });
    const main = await job.uses(ACTION, { name: 'with api' });
    const runId = main.outputs['run-id'] ?? '';
    github().setJobs(4242, 1, [
      {
        id: 99,
        name: 'triage',
        status: 'in_progress',
        conclusion: null,
        runner_name: 'autostack-test-runner',
        steps: [
          { number: 1, name: 'Set up job', status: 'completed', conclusion: 'success' },
          { number: 2, name: 'Run autostack/record-run', status: 'completed', conclusion: 'success' },
          { number: 3, name: 'Run make test', status: 'completed', conclusion: 'failure' },
          { number: 4, name: 'Post Run autostack/record-run', status: 'in_progress', conclusion: null },
        ],
      },
    ]);
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    const request = github().requests.find((candidate) =>
      candidate.path.includes('/actions/runs/4242/attempts/1/jobs'),
    );
    assert.ok(request, 'jobs API called');
    assert.equal(request.headers.authorization, `token ${token}`);
    const raw = readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`), 'utf8');
    assert.ok(!raw.includes(token), 'token not in the record');
    assert.ok(
      post && !post.summary.includes(token) && !visibleLog(post).includes(token),
      'token not in summary or log',
    );
    const record = JSON.parse(raw) as {
      status: string;
      statusSource: string;
      jobSteps: Array<{ name: string }>;
      errors: Array<{ step: string }>;
    };
    assert.equal(record.status, 'failure');
    assert.equal(record.statusSource, 'github-api');
    assert.equal(record.jobSteps.length, 4);
    assert.ok(record.errors.some((error) => error.step === 'Run make test'));
  });

  test('a cancelled step reported by GitHub makes the run cancelled', async () => {
    const job = new Job({ env: { GITHUB_API_URL: github().url, GITHUB_RUN_ID: '4343' }, githubToken: 'ghs_other' });
    const main = await job.uses(ACTION, {});
    github().setJobs(4343, 1, [
      {
        id: 100,
        name: 'triage',
        status: 'in_progress',
        conclusion: null,
        runner_name: 'autostack-test-runner',
        steps: [{ number: 1, name: 'Run deploy', status: 'completed', conclusion: 'cancelled' }],
      },
    ]);
    await job.complete();
    assert.equal(readRecord(job, main.outputs['run-id'] ?? '').status, 'cancelled');
  });

  test('without actions: read the record still comes from the journal', async () => {
    const job = new Job({ env: { GITHUB_API_URL: github().url, GITHUB_RUN_ID: '4444' }, githubToken: 'ghs_noperm' });
    github().script({ method: 'GET', path: /\/actions\/runs\/4444\// }, [
      { status: 403, body: { message: 'Resource not accessible by integration' } },
    ]);
    const main = await job.uses(ACTION, {});
    const [post] = await job.complete();
    assert.match(post?.stdout ?? '', /journal only: .*actions: read/);
    assert.equal(readRecord(job, main.outputs['run-id'] ?? '').status, 'success');
  });
});

describe('record-run input validation', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ 'retention-days': 'forever' }, 'retention-days', /whole number from 1 to 90 \(got 'forever'\)/],
    [{ 'retention-days': '91' }, 'retention-days', /from 1 to 90 \(got 91\)/],
    [{ artifact: 'maybe' }, 'artifact', /must be true or false/],
    [{ summary: 'sometimes' }, 'summary', /must be true or false/],
    [{ name: 'two\nlines' }, 'name', /one line/],
  ];
  for (const [inputs, name, message] of cases) {
    test(`bad ${name} (${JSON.stringify(inputs[name])}) fails with one ::error:: naming it`, async () => {
      const job = new Job();
      const main = await job.uses(ACTION, inputs);
      assert.equal(main.exitCode, 1);
      assert.equal(main.errors.length, 1, main.stdout);
      assert.match(main.errors[0] ?? '', new RegExp(`^Input '${name}' `));
      assert.match(main.errors[0] ?? '', message);
      assert.doesNotMatch(main.stdout + main.stderr, /\n\s+at /, 'no stack trace');
      const [post] = await job.complete();
      assert.equal(post?.exitCode, 0, 'the post step of a run that never started is quiet');
    });
  }

  test('an unwritable directory is named', async () => {
    const job = new Job();
    writeFileSync(join(job.workspace, 'a-file'), '');
    const main = await job.uses(ACTION, { directory: 'a-file/records' });
    assert.equal(main.exitCode, 1);
    assert.match(main.errors[0] ?? '', /^Input 'directory' names a directory that cannot be written: a-file\/records/);
  });

  test('action.yml defaults are the schema defaults', () => {
    const manifest = parseYaml(readFileSync(join(REPO_ROOT, ACTION, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    assert.deepEqual(Object.keys(manifest.inputs).sort(), Object.keys(recordRunInputs).sort());
    const fromManifest = (name: string) => {
      const value = manifest.inputs[name]?.default;
      return value?.includes('${{') ? undefined : value;
    };
    assert.deepEqual(
      readInputs(recordRunInputs, fromManifest),
      readInputs(recordRunInputs, () => undefined),
    );
    assert.equal(
      recordRunOptions(() => undefined, {
        payload: {},
        serverUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
      }).directory,
      '.autostack/runs',
    );
  });
});
