// The shipped GitHub API emulator through its hooks, as the local runner plugs into it: route
// groups, authentication, overrides, dispatch notices, strict repositories, GitHub's 400 on a body
// that is not JSON, and an event payload's issue keeping its own fields.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startGitHubEmulator } from '../../src/github-emulator/server.js';
import type { GitHubEmulatorOptions } from '../../src/github-emulator/types.js';

async function emulator(t: TestContext, options: GitHubEmulatorOptions) {
  const api = await startGitHubEmulator(options);
  t.after(() => api.close());
  const call = async (method: string, path: string, body?: string, token = 'good') => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  return { api, call };
}

test('groups, authentication and strict repositories decide what is served', async (t) => {
  const { api, call } = await emulator(t, {
    defaultRepo: false,
    repos: { 'me/app': {} },
    strictRepos: true,
    dispatchToAnyRepo: true,
    groups: ['repository', 'dispatch', 'issues'],
    authenticate: (token) => (token === 'good' ? undefined : { status: 401, body: { message: 'Bad credentials' } }),
  });
  assert.equal((await call('GET', '/repos/me/app', undefined, 'bad')).status, 401);
  assert.equal((await call('GET', '/repos/me/app')).json?.full_name, 'me/app');
  assert.equal((await call('GET', '/repos/me/app/pulls')).status, 404, 'pulls are not in the groups');
  assert.equal(api.unmatched.at(-1)?.path, '/repos/me/app/pulls');
  assert.equal((await call('GET', '/repos/other/repo')).status, 404, 'strict: no repository made on a read');
  const sent = await call('POST', '/repos/other/repo/dispatches', JSON.stringify({ event_type: 'ping' }));
  assert.equal(sent.status, 204, 'a dispatch may go to any repository');
  assert.deepEqual(
    api.state.dispatches.map((d) => [d.repo, d.event_type]),
    [['other/repo', 'ping']],
  );
  const broken = await call('POST', '/repos/me/app/dispatches', '{"event_type":');
  assert.equal(broken.status, 400);
  assert.equal(broken.json?.message, 'Problems parsing JSON');
});

test('an override answers first; onDispatch names the run a workflow_dispatch starts', async (t) => {
  const notices: Array<[string, string | undefined]> = [];
  const { api, call } = await emulator(t, {
    override: ({ rest }) => (rest === '/contents/live.txt' ? { status: 200, body: { live: true } } : undefined),
    onDispatch: (record, notice) => {
      notices.push(['event_type' in record ? 'repository' : 'workflow', notice.workflow]);
      return { runId: 4242 };
    },
  });
  api.commitFiles({ '.github/workflows/deploy.yml': 'on:\n  workflow_dispatch:\n    inputs:\n      env: {}\n' });
  assert.deepEqual((await call('GET', '/repos/octo-org/octo-repo/contents/live.txt')).json, { live: true });
  assert.equal((await call('GET', '/repos/octo-org/octo-repo/contents/README.md')).json?.name, 'README.md');
  const run = await call(
    'POST',
    '/repos/octo-org/octo-repo/actions/workflows/deploy.yml/dispatches',
    JSON.stringify({ ref: 'main', inputs: { env: 'prod' }, return_run_details: true }),
  );
  assert.equal(run.status, 200);
  assert.equal(run.json?.workflow_run_id, 4242);
  assert.equal(api.state.runs.get(4242)?.event, 'workflow_dispatch');
  const refused = await call(
    'POST',
    '/repos/octo-org/octo-repo/actions/workflows/deploy.yml/dispatches',
    JSON.stringify({ ref: 'main', inputs: { nope: '1' } }),
  );
  assert.equal(refused.status, 422, 'undeclared inputs are refused before anyone is told');
  assert.deepEqual(notices, [['workflow', 'deploy.yml']]);
});

test('an issue with extra fields keeps them; labels and state come from the model', async (t) => {
  const { api, call } = await emulator(t, {});
  api.addIssue({ number: 42, title: 'Crash', labels: ['bug'], extra: { number: 42, title: 'Crash', custom: 'kept' } });
  const added = await call('POST', '/repos/octo-org/octo-repo/issues/42/labels', JSON.stringify({ labels: ['p1'] }));
  assert.deepEqual(
    (added.json as unknown as Array<{ name: string }>).map((label) => label.name),
    ['bug', 'p1'],
  );
  const issue = await call('GET', '/repos/octo-org/octo-repo/issues/42');
  assert.equal(issue.json?.custom, 'kept');
  assert.deepEqual(
    (issue.json?.labels as Array<{ name: string }>).map((label) => label.name),
    ['bug', 'p1'],
  );
  assert.equal(issue.json?.number, 42);
  const next = api.addIssue({ title: 'Next' });
  assert.equal(next.number, 43, 'numbers continue after a given one');
});
