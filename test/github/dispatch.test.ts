import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { dispatchRepositoryEvent, dispatchWorkflow } from '../../src/events/dispatch.js';
import { DispatchError, DispatchLimitError } from '../../src/events/dispatch-errors.js';
import { createEvent, type CloudEvent } from '../../src/events/envelope.js';
import type { GitHubApi } from '../fakes/github-api.js';
import { useGitHubApi } from '../harness/fixtures.js';
import { recordingLog } from '../ai/helpers.js';

const TOKEN = 'ghp_dispatchTestToken0123456789';

async function setup(
  t: TestContext,
): Promise<{ api: GitHubApi; client: ReturnType<typeof createGitHubClient>; log: ReturnType<typeof recordingLog> }> {
  const api = await useGitHubApi(t, { requireToken: TOKEN, quiet: true });
  const log = recordingLog();
  const client = createGitHubClient({ token: TOKEN, baseUrl: api.url, log });
  return { api, client, log };
}

function event(overrides: Partial<Parameters<typeof createEvent>[0]> = {}): CloudEvent {
  return createEvent({
    type: 'com.example.issue.triaged',
    source: 'https://github.com/octo-org/octo-repo',
    data: { issue: 12, label: 'bug' },
    workflowRunId: '4242',
    step: 'triage/emit',
    runId: '20261125T090000Z-aaaaaaaaaaaa',
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<DispatchError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DispatchError, `expected a DispatchError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the dispatch to fail');
}

test('repository_dispatch sends the whole envelope under one client_payload key, with auth and API headers', async (t) => {
  const { api, client } = await setup(t);
  const ev = event();
  const result = await dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: ev });
  assert.equal(result.reference, false);
  assert.equal(result.eventType, ev.type);
  assert.equal(api.state.dispatches.length, 1);
  const sent = api.state.dispatches[0];
  assert.equal(sent?.repo, 'octo-org/target');
  assert.equal(sent?.event_type, 'com.example.issue.triaged');
  assert.deepEqual(Object.keys(sent?.client_payload ?? {}), ['autostack']);
  assert.deepEqual(sent?.client_payload['autostack'], JSON.parse(JSON.stringify(ev)));
  assert.equal(sent?.headers['authorization'], `token ${TOKEN}`);
  assert.match(sent?.headers['user-agent'] ?? '', /autostack/);
  assert.match(sent?.headers['content-type'] ?? '', /application\/json/);
  assert.match(sent?.headers['accept'] ?? '', /application\/vnd\.github/);
});

test('an event_type over 100 characters and a payload of 64 KB are refused before anything is sent', async (t) => {
  const { api, client } = await setup(t);
  const long = await rejection(
    dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: event(), eventType: 'x'.repeat(101) }),
  );
  assert.ok(long instanceof DispatchLimitError);
  assert.match(long.message, /event_type must be 1-100 characters/);

  const big = event({ data: { blob: 'y'.repeat(70_000) } });
  const tooBig = await rejection(dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: big }));
  assert.ok(tooBig instanceof DispatchLimitError);
  assert.match(tooBig.message, /bytes as client_payload; GitHub accepts under 65536 \(64 KB\)/);
  assert.equal(api.requests.length, 0, 'nothing reached GitHub');

  // Exactly at the boundary: just under 64 KB passes, and the fake (which enforces GitHub's limit) agrees.
  const base = JSON.stringify({ autostack: event({ data: { blob: '' } }) }).length;
  const fits = event({ data: { blob: 'z'.repeat(65_535 - base) } });
  assert.equal(Buffer.byteLength(JSON.stringify({ autostack: fits })), 65_535);
  await dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: fits });
  assert.equal(api.state.dispatches.length, 1);
});

test('a too-large event can be dispatched as a reference to its stream entry instead', async (t) => {
  const { api, client } = await setup(t);
  const big = event({ data: { blob: 'y'.repeat(70_000) } });
  const result = await dispatchRepositoryEvent(client, {
    repository: 'octo-org/target',
    event: big,
    referenceWhenTooLarge: { stream: 'autostack:events', entryId: '1700000000000-0' },
  });
  assert.equal(result.reference, true);
  const sent = api.state.dispatches[0]?.client_payload['autostack'] as Record<string, unknown>;
  assert.equal(sent['id'], big.id);
  assert.equal(sent['idempotencykey'], big.idempotencykey);
  assert.deepEqual(sent['data'], { autostackref: { stream: 'autostack:events', entry: '1700000000000-0' } });
  assert.ok(result.payloadBytes < 2000);
});

test('a 5xx is retried and then succeeds; the dispatch is sent once more, not lost', async (t) => {
  const { api, client } = await setup(t);
  const handle = api.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 502 }]);
  await dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: event() });
  assert.equal(handle.remaining, 0);
  const posts = api.requests.filter((r) => r.method === 'POST');
  assert.deepEqual(
    posts.map((r) => r.status),
    [502, 204],
  );
  assert.equal(api.state.dispatches.length, 1);
});

test('a 403 secondary rate limit with retry-after waits and retries', async (t) => {
  const { api, client, log } = await setup(t);
  api.script('POST /repos/{owner}/{repo}/dispatches', [
    {
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    },
  ]);
  const started = Date.now();
  await dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: event() });
  assert.ok(Date.now() - started >= 900, 'waited for retry-after');
  assert.deepEqual(
    api.requests.filter((r) => r.method === 'POST').map((r) => r.status),
    [403, 204],
  );
  assert.match(log.text(), /secondary rate limit on POST .*retrying in 1s/);
  assert.doesNotMatch(log.text(), new RegExp(TOKEN));
});

test('a primary rate limit waits for its reset when that is near, and gives up at once when it is not', async (t) => {
  const { api, client, log } = await setup(t);
  const limited = (resetInSeconds: number) => ({
    status: 403,
    headers: {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + resetInSeconds),
    },
    body: { message: 'API rate limit exceeded', documentation_url: 'https://docs.github.com/rest' },
  });
  api.script('POST /repos/{owner}/{repo}/dispatches', [limited(1)]);
  await dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: event() });
  assert.match(log.text(), /GitHub rate limit on POST .*retrying in \d+s/);
  assert.doesNotMatch(log.text(), /secondary/);

  api.script('POST /repos/{owner}/{repo}/dispatches', [limited(600)]);
  const started = Date.now();
  await assert.rejects(dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: event() }));
  assert.ok(Date.now() - started < 5_000, 'a reset 10 minutes away is not waited for');
  assert.deepEqual(
    api.requests.filter((r) => r.method === 'POST').map((r) => r.status),
    [403, 204, 403],
  );
});

test("403 and 404 name the missing permission and the default-branch rule; 422 surfaces GitHub's message", async (t) => {
  const { api, client } = await setup(t);
  api.script('POST /repos/{owner}/{repo}/dispatches', [
    {
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      },
    },
    { status: 404 },
    {
      status: 422,
      body: {
        message: 'Invalid request.\n\nFor \'properties/client_payload\', "x" is not an object.',
        documentation_url: 'https://docs.github.com/rest',
      },
    },
  ]);
  const forbidden = await rejection(dispatchRepositoryEvent(client, { repository: 'octo-org/other', event: event() }));
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.transient, false);
  assert.match(forbidden.message, /needs 'contents: write' on octo-org\/other/);
  assert.match(forbidden.message, /PAT or a GitHub App token/);
  assert.match(forbidden.message, /default branch/);
  assert.match(forbidden.message, /Resource not accessible by integration/);
  assert.doesNotMatch(forbidden.message, new RegExp(TOKEN));

  const missing = await rejection(dispatchRepositoryEvent(client, { repository: 'octo-org/other', event: event() }));
  assert.equal(missing.status, 404);
  assert.match(missing.message, /cannot see the repository/);

  const invalid = await rejection(dispatchRepositoryEvent(client, { repository: 'octo-org/other', event: event() }));
  assert.equal(invalid.status, 422);
  assert.match(
    invalid.message,
    /GitHub rejected the repository_dispatch to octo-org\/other \(422\): Invalid request\. For 'properties\/client_payload', "x" is not an object\./,
  );
  // Permanent failures are not retried.
  assert.equal(api.requests.filter((r) => r.method === 'POST').length, 3);
});

test('5xx that never recovers gives up within the retry bound and is marked transient', async (t) => {
  const api = await useGitHubApi(t, { quiet: true });
  const client = createGitHubClient({ token: TOKEN, baseUrl: api.url, log: recordingLog(), retries: 1 });
  api.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 503 }, { status: 503 }, { status: 503 }]);
  const failed = await rejection(dispatchRepositoryEvent(client, { repository: 'octo-org/target', event: event() }));
  assert.equal(failed.transient, true);
  assert.equal(failed.status, 503);
  assert.equal(api.requests.length, 2, 'one try plus one retry');
});

const WORKFLOW = `name: deploy
on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [staging, production]
        required: true
      dry-run:
        type: boolean
        default: false
      autostack-event:
        description: the event that started this run
        required: false
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
`;

test('workflow_dispatch checks inputs against the declared ones, passes the event, and returns run details', async (t) => {
  const { api, client } = await setup(t);
  api.commitFiles({ '.github/workflows/deploy.yml': WORKFLOW }, { repo: 'octo-org/app' });
  const ev = event();
  const result = await dispatchWorkflow(client, {
    repository: 'octo-org/app',
    workflow: 'deploy.yml',
    inputs: { environment: 'staging' },
    event: ev,
  });
  assert.equal(result.inputsChecked, true);
  assert.equal(result.ref, 'main', 'default branch when no ref is given');
  assert.equal(result.eventInput, 'full');
  const sent = api.state.workflowDispatches[0];
  assert.equal(sent?.return_run_details, true);
  assert.equal(sent?.ref, 'main');
  assert.deepEqual(Object.keys(sent?.inputs ?? {}).sort(), ['autostack-event', 'environment']);
  assert.deepEqual(JSON.parse(String(sent?.inputs['autostack-event'])), JSON.parse(JSON.stringify(ev)));
  assert.equal(result.runId, sent?.run_id);
  assert.equal(result.htmlUrl, `https://github.com/octo-org/app/actions/runs/${sent?.run_id}`);
  assert.match(result.runUrl ?? '', new RegExp(`/repos/octo-org/app/actions/runs/${sent?.run_id}$`));

  const undeclared = await rejection(
    dispatchWorkflow(client, {
      repository: 'octo-org/app',
      workflow: 'deploy.yml',
      inputs: { environment: 'staging', colour: 'red' },
    }),
  );
  assert.match(
    undeclared.message,
    /does not declare the input\(s\) colour; its workflow_dispatch inputs are: environment, dry-run, autostack-event/,
  );
  const missing = await rejection(
    dispatchWorkflow(client, { repository: 'octo-org/app', workflow: 'deploy.yml', inputs: {} }),
  );
  assert.match(missing.message, /requires the input 'environment'/);
  const choice = await rejection(
    dispatchWorkflow(client, { repository: 'octo-org/app', workflow: 'deploy.yml', inputs: { environment: 'moon' } }),
  );
  assert.match(choice.message, /must be one of staging, production; got 'moon'/);
  const bool = await rejection(
    dispatchWorkflow(client, {
      repository: 'octo-org/app',
      workflow: 'deploy.yml',
      inputs: { environment: 'staging', 'dry-run': 'maybe' },
    }),
  );
  assert.match(bool.message, /is a boolean; got 'maybe'/);
  assert.equal(api.state.workflowDispatches.length, 1, 'invalid inputs never reach GitHub');
  // Without our check GitHub validates against the same file, and its 422 is surfaced.
  const unchecked = await rejection(
    dispatchWorkflow(client, {
      repository: 'octo-org/app',
      workflow: 'deploy.yml',
      inputs: { colour: 'red' },
      checkInputs: false,
    }),
  );
  assert.equal(unchecked.status, 422);
  assert.match(unchecked.message, /\(422\): Unexpected inputs provided: \["colour"\]/);

  api.commitFiles({ '.github/workflows/ci.yml': 'on: push\njobs: {}\n' }, { repo: 'octo-org/app' });
  const noTrigger = await rejection(dispatchWorkflow(client, { repository: 'octo-org/app', workflow: 'ci.yml' }));
  assert.match(noTrigger.message, /has no 'on: workflow_dispatch' trigger/);
});

test('workflow_dispatch limits: 25 inputs and 65,535 characters; an unreadable workflow is left to GitHub', async (t) => {
  const { api, client } = await setup(t);
  const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`in${i}`, 'v']));
  const tooMany = await rejection(
    dispatchWorkflow(client, { repository: 'octo-org/app', workflow: 'free.yml', ref: 'main', inputs: many }),
  );
  assert.ok(tooMany instanceof DispatchLimitError);
  assert.match(tooMany.message, /at most 25 inputs; 26 were given/);
  const tooLong = await rejection(
    dispatchWorkflow(client, {
      repository: 'octo-org/app',
      workflow: 'free.yml',
      ref: 'main',
      inputs: { a: 'x'.repeat(65_600) },
    }),
  );
  assert.match(tooLong.message, /GitHub accepts at most 65535/);
  assert.equal(api.state.workflowDispatches.length, 0);

  // No file to read (free.yml does not exist in the repository): GitHub validates; its 422 is surfaced.
  api.addWorkflow({ file: 'strict.yml', inputs: ['only'] }, 'octo-org/app');
  const rejected = await rejection(
    dispatchWorkflow(client, {
      repository: 'octo-org/app',
      workflow: 'strict.yml',
      ref: 'main',
      inputs: { other: '1' },
    }),
  );
  assert.equal(rejected.status, 422);
  assert.match(
    rejected.message,
    /GitHub rejected the workflow_dispatch of 'strict.yml' in octo-org\/app \(422\): Unexpected inputs provided: \["other"\]/,
  );
  const ok = await dispatchWorkflow(client, {
    repository: 'octo-org/app',
    workflow: 'strict.yml',
    ref: 'main',
    inputs: { only: '1' },
  });
  assert.equal(ok.inputsChecked, false);
  assert.equal(ok.eventInput, 'none');
  assert.equal(typeof ok.runId, 'number');
});

test('workflow_dispatch without run details (older GHES): falls back and still succeeds; 403 names actions: write', async (t) => {
  const { api, client } = await setup(t);
  api.script('POST /repos/{owner}/{repo}/actions/workflows/{id}/dispatches', [
    { status: 422, body: { message: 'Invalid request.\n\n"return_run_details" is not a permitted key.' } },
  ]);
  const result = await dispatchWorkflow(client, { repository: 'octo-org/app', workflow: 'old.yml', ref: 'main' });
  assert.equal(result.runId, undefined);
  const posts = api.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 2);
  assert.equal((posts[1]?.body as Record<string, unknown>)['return_run_details'], undefined);

  api.script('POST /repos/{owner}/{repo}/actions/workflows/{id}/dispatches', [
    { status: 403, body: { message: 'Resource not accessible by integration' } },
  ]);
  const forbidden = await rejection(
    dispatchWorkflow(client, { repository: 'octo-org/app', workflow: 'old.yml', ref: 'main' }),
  );
  assert.match(forbidden.message, /needs 'actions: write' on octo-org\/app/);
  assert.match(forbidden.message, /default branch/);
});
