import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { useGitHubApi } from '../harness/fixtures.js';
import { DEFAULT_REPO, type GitHubApi } from './github-api.js';

const [owner = '', repo = ''] = DEFAULT_REPO.split('/');

/** octokit logs every 4xx/5xx; the tests provoke them on purpose, so keep the output quiet. */
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function octokitFor(api: GitHubApi, auth: string | null = 'x'): Octokit {
  return new Octokit({ baseUrl: api.url, log, ...(auth === null ? {} : { auth }) });
}

/** The status of an octokit RequestError (it carries `status` and `response`). */
async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; message: string; headers: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: unknown; message?: unknown; response?: { headers?: Record<string, unknown> } };
    return { status: Number(e.status), message: String(e.message), headers: e.response?.headers ?? {} };
  }
  assert.fail('expected the request to fail');
}

test('lists jobs of a run attempt and of the latest attempt, paginated', async (t) => {
  const api = await useGitHubApi(t);
  const octokit = octokitFor(api);

  api.setJobs(42, 1, [
    { name: 'build', conclusion: 'failure', steps: [{ name: 'Set up job' }, { name: 'make', conclusion: 'failure' }] },
  ]);
  api.setJobs(42, 2, [
    { name: 'build', steps: [{ name: 'make' }] },
    { name: 'deploy', status: 'in_progress', runner_name: 'runner-7' },
  ]);

  const first = await octokit.rest.actions.listJobsForWorkflowRunAttempt({
    owner,
    repo,
    run_id: 42,
    attempt_number: 1,
  });
  assert.equal(first.data.total_count, 1);
  const job = first.data.jobs[0];
  assert.ok(job);
  assert.equal(job.run_id, 42);
  assert.equal(job.run_attempt, 1);
  assert.equal(job.conclusion, 'failure');
  assert.equal(job.status, 'completed');
  assert.deepEqual(
    job.steps?.map((s) => [s.number, s.name, s.conclusion]),
    [
      [1, 'Set up job', 'success'],
      [2, 'make', 'failure'],
    ],
  );

  const latest = await octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: 42 });
  assert.deepEqual(
    latest.data.jobs.map((j) => [j.name, j.run_attempt, j.status, j.conclusion, j.runner_name]).slice(1),
    [['deploy', 2, 'in_progress', null, 'runner-7']],
  );
  const all = await octokit.rest.actions.listJobsForWorkflowRun({ owner, repo, run_id: 42, filter: 'all' });
  assert.equal(all.data.total_count, 3);

  const run = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: 42 });
  assert.equal(run.data.run_attempt, 2);
  assert.equal(run.data.status, 'in_progress');

  api.setJobs(
    43,
    1,
    Array.from({ length: 35 }, (_, i) => ({ name: `shard ${i}` })),
  );
  const paged = await octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
    owner,
    repo,
    run_id: 43,
    per_page: 10,
  });
  assert.equal(paged.length, 35);

  await assert.rejects(
    octokit.rest.actions.listJobsForWorkflowRunAttempt({ owner, repo, run_id: 42, attempt_number: 3 }),
    {
      status: 404,
    },
  );
});

test('repository_dispatch is recorded with body and headers; GitHub limits answer 422', async (t) => {
  const api = await useGitHubApi(t);
  const octokit = octokitFor(api);

  const res = await octokit.rest.repos.createDispatchEvent({
    owner,
    repo,
    event_type: 'autostack.run',
    client_payload: { run: 1, ok: true },
  });
  assert.equal(res.status, 204);
  assert.deepEqual(
    api.state.dispatches.map((d) => [d.repo, d.event_type, d.client_payload]),
    [[DEFAULT_REPO, 'autostack.run', { run: 1, ok: true }]],
  );
  const req = api.requests.find((r) => r.method === 'POST' && r.path === `/repos/${DEFAULT_REPO}/dispatches`);
  assert.ok(req);
  assert.equal(req.headers['authorization'], 'token x');
  assert.match(req.headers['user-agent'] ?? '', /octokit/);
  assert.match(req.headers['content-type'] ?? '', /application\/json/);
  assert.deepEqual(req.body, { event_type: 'autostack.run', client_payload: { run: 1, ok: true } });

  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
  const tooMany = await failure(
    octokit.rest.repos.createDispatchEvent({ owner, repo, event_type: 'x', client_payload: eleven }),
  );
  assert.equal(tooMany.status, 422);
  assert.match(tooMany.message, /No more than 10 properties are allowed; 11 were supplied/);

  const longType = await failure(octokit.rest.repos.createDispatchEvent({ owner, repo, event_type: 'e'.repeat(101) }));
  assert.equal(longType.status, 422);
  assert.equal(api.state.dispatches.length, 1, 'rejected dispatches are not recorded');
});

test('workflow_dispatch returns run details when asked, 204 otherwise', async (t) => {
  const api = await useGitHubApi(t);
  const octokit = octokitFor(api);
  api.addWorkflow({ file: 'deploy.yml', inputs: ['target'] });

  const plain = await octokit.rest.actions.createWorkflowDispatch({
    owner,
    repo,
    workflow_id: 'deploy.yml',
    ref: 'main',
    inputs: { target: 'prod' },
  });
  assert.equal(plain.status, 204);

  const detailed = await octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
    owner,
    repo,
    workflow_id: 'deploy.yml',
    ref: 'main',
    inputs: { target: 'staging' },
    return_run_details: true,
  });
  assert.equal(detailed.status, 200);
  const data = detailed.data as unknown as { workflow_run_id: number; run_url: string; html_url: string };
  assert.equal(typeof data.workflow_run_id, 'number');
  assert.equal(data.run_url, `${api.url}/repos/${DEFAULT_REPO}/actions/runs/${data.workflow_run_id}`);
  assert.deepEqual(
    api.state.workflowDispatches.map((d) => [d.workflow_path, d.inputs, d.return_run_details]),
    [
      ['.github/workflows/deploy.yml', { target: 'prod' }, false],
      ['.github/workflows/deploy.yml', { target: 'staging' }, true],
    ],
  );

  const undeclared = await failure(
    octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'deploy.yml',
      ref: 'main',
      inputs: { nope: '1' },
    }),
  );
  assert.equal(undeclared.status, 422);
  const wf = await octokit.rest.actions.getWorkflow({ owner, repo, workflow_id: 'deploy.yml' });
  assert.equal(wf.data.path, '.github/workflows/deploy.yml');
});

test('scripted 502 then success is observable, with and without the retry plugin', async (t) => {
  const api = await useGitHubApi(t);
  const issue = api.addIssue({ title: 'flaky' });

  const handle = api.script('GET /repos/{owner}/{repo}/issues/{issue_number}', [{ status: 502 }]);
  const octokit = octokitFor(api);
  const first = await failure(octokit.rest.issues.get({ owner, repo, issue_number: issue.number }));
  assert.equal(first.status, 502);
  assert.equal(handle.remaining, 0);
  const second = await octokit.rest.issues.get({ owner, repo, issue_number: issue.number });
  assert.equal(second.data.title, 'flaky');

  // The same script seen through @octokit/plugin-retry: one call, two requests.
  api.script(`GET /repos/${DEFAULT_REPO}/issues/${issue.number}`, [{ status: 502 }]);
  const Retrying = Octokit.plugin(retry);
  const retrying = new Retrying({ baseUrl: api.url, auth: 'x', log, retry: { retryAfterBaseValue: 1 } });
  const before = api.requests.length;
  const res = await retrying.rest.issues.get({ owner, repo, issue_number: issue.number });
  assert.equal(res.status, 200);
  assert.deepEqual(
    api.requests.slice(before).map((r) => [r.status, r.scripted === true]),
    [
      [502, true],
      [200, false],
    ],
  );
});

test('scripted 403 secondary rate limit carries retry-after and GitHub message', async (t) => {
  const api = await useGitHubApi(t);
  api.script({ method: 'POST', path: /\/dispatches$/ }, [
    {
      status: 403,
      headers: { 'retry-after': '7', 'x-ratelimit-remaining': '4000' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    },
  ]);
  const err = await failure(octokitFor(api).rest.repos.createDispatchEvent({ owner, repo, event_type: 'x' }));
  assert.equal(err.status, 403);
  assert.match(err.message, /secondary rate limit/);
  assert.equal(err.headers['retry-after'], '7');
  assert.equal(err.headers['x-ratelimit-remaining'], '4000');
});

test('contents put/get roundtrip, sha checks, and a one-file pull request', async (t) => {
  const api = await useGitHubApi(t);
  const octokit = octokitFor(api);
  const encode = (s: string) => Buffer.from(s).toString('base64');

  // Commit directly to the default branch.
  const created = await octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path: 'docs/notes.md',
    message: 'add notes',
    content: encode('hello\n'),
  });
  assert.equal(created.status, 201);
  const got = await octokit.rest.repos.getContent({ owner, repo, path: 'docs/notes.md' });
  assert.ok(!Array.isArray(got.data) && got.data.type === 'file');
  assert.equal(Buffer.from(got.data.content, 'base64').toString(), 'hello\n');
  assert.equal(got.data.sha, created.data.content?.sha);
  assert.equal(api.readFile('docs/notes.md'), 'hello\n');

  const noSha = await failure(
    octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: 'docs/notes.md',
      message: 'x',
      content: encode('y'),
    }),
  );
  assert.equal(noSha.status, 422);
  const staleSha = await failure(
    octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: 'docs/notes.md',
      message: 'x',
      content: encode('y'),
      sha: 'f'.repeat(40),
    }),
  );
  assert.equal(staleSha.status, 409);

  // Open a PR that changes one file: branch from main, put on the branch, create the PR.
  const main = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' });
  await octokit.rest.git.createRef({
    owner,
    repo,
    ref: 'refs/heads/autostack/update-notes',
    sha: main.data.object.sha,
  });
  await octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path: 'docs/notes.md',
    message: 'update notes',
    content: encode('hello\nworld\n'),
    sha: got.data.sha,
    branch: 'autostack/update-notes',
  });
  assert.equal(api.readFile('docs/notes.md'), 'hello\n', 'main is unchanged');
  const onBranch = await octokit.rest.repos.getContent({
    owner,
    repo,
    path: 'docs/notes.md',
    ref: 'autostack/update-notes',
  });
  assert.ok(!Array.isArray(onBranch.data) && onBranch.data.type === 'file');
  assert.equal(Buffer.from(onBranch.data.content, 'base64').toString(), 'hello\nworld\n');

  const pr = await octokit.rest.pulls.create({
    owner,
    repo,
    title: 'Update notes',
    head: 'autostack/update-notes',
    base: 'main',
  });
  assert.equal(pr.status, 201);
  const again = await failure(
    octokit.rest.pulls.create({ owner, repo, title: 'dup', head: 'autostack/update-notes', base: 'main' }),
  );
  assert.equal(again.status, 422);
  assert.match(again.message, /already exists/);

  const listed = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:autostack/update-notes`, state: 'open' });
  assert.deepEqual(
    listed.data.map((p) => p.number),
    [pr.data.number],
  );
  const files = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: pr.data.number });
  assert.deepEqual(
    files.data.map((f) => [f.filename, f.status, f.additions, f.deletions]),
    [['docs/notes.md', 'modified', 1, 0]],
  );

  await octokit.rest.issues.addLabels({ owner, repo, issue_number: pr.data.number, labels: ['autostack'] });
  const comment = await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.data.number, body: 'first' });
  await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.data.id, body: 'edited' });
  const comments = await octokit.rest.issues.listComments({ owner, repo, issue_number: pr.data.number });
  assert.deepEqual(
    comments.data.map((c) => c.body),
    ['edited'],
  );
  const asIssue = await octokit.rest.issues.get({ owner, repo, issue_number: pr.data.number });
  assert.deepEqual(
    asIssue.data.labels.map((l) => (typeof l === 'string' ? l : l.name)),
    ['autostack'],
  );
  assert.ok(asIssue.data.pull_request);

  const closed = await octokit.rest.pulls.update({ owner, repo, pull_number: pr.data.number, state: 'closed' });
  assert.equal(closed.data.state, 'closed');

  // Fast-forward main to the branch tip: a direct commit through git refs.
  const tip = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/autostack/update-notes' });
  await octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: tip.data.object.sha });
  assert.equal(api.readFile('docs/notes.md'), 'hello\nworld\n');
});

test('requireToken answers 401; unknown routes answer a logged 404', async (t) => {
  const api = await useGitHubApi(t, { requireToken: 'sekrit', quiet: true });

  const anonymous = await failure(octokitFor(api, null).rest.repos.get({ owner, repo }));
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.message, /Requires authentication/);
  const wrong = await failure(octokitFor(api, 'nope').rest.repos.get({ owner, repo }));
  assert.equal(wrong.status, 401);
  const ok = await octokitFor(api, 'sekrit').rest.repos.get({ owner, repo });
  assert.equal(ok.data.default_branch, 'main');

  const octokit = octokitFor(api, 'sekrit');
  const missing = await failure(octokit.request('GET /repos/{owner}/{repo}/environments', { owner, repo }));
  assert.equal(missing.status, 404);
  assert.deepEqual(
    api.unmatched.map((r) => `${r.method} ${r.path}`),
    [`GET /repos/${DEFAULT_REPO}/environments`],
  );
});
