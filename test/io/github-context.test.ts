// The GitHub context comes from @actions/github's Context (GITHUB_* and GITHUB_EVENT_PATH), read
// once by the entry point; unset variables are undefined, and a broken event file is one clear line.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGitHubContext } from '../../src/io/github-context.js';
import { readTrigger, runGitHub } from '../../src/runs/context.js';
import { UserError } from '../../src/shared/errors.js';
import { withRunnerEnv } from '../harness/github-env.js';
import { tempDir } from '../harness/temp.js';

test('on a runner: the variables and the pull_request payload, and the run record built from them', () => {
  const path = join(tempDir('autostack-context-'), 'event.json');
  writeFileSync(
    path,
    JSON.stringify({
      action: 'opened',
      number: 7,
      pull_request: { number: 7, html_url: 'https://github.com/o/r/pull/7' },
      sender: { login: 'octocat' },
    }),
  );
  const context = withRunnerEnv(
    {
      GITHUB_EVENT_PATH: path,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_JOB: 'triage',
      GITHUB_SERVER_URL: 'https://ghe.example.com',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
    },
    readGitHubContext,
  );
  assert.equal(context.repository, 'o/r');
  assert.equal(context.apiUrl, 'https://ghe.example.com/api/v3');
  assert.deepEqual(runGitHub(context), {
    repository: 'o/r',
    workflow: undefined,
    runId: '4242',
    runAttempt: '2',
    job: 'triage',
    sha: undefined,
    ref: undefined,
    eventName: 'pull_request',
    actor: undefined,
    serverUrl: 'https://ghe.example.com',
    runUrl: 'https://ghe.example.com/o/r/actions/runs/4242/attempts/2',
  });
  assert.deepEqual(readTrigger(context), {
    event: 'pull_request',
    action: 'opened',
    sender: 'octocat',
    number: 7,
    url: 'https://github.com/o/r/pull/7',
    type: 'opened',
  });
});

test('off a runner: nothing is made up (no NaN run id, no repository, no run URL)', () => {
  const context = withRunnerEnv({}, readGitHubContext);
  assert.deepEqual(context.payload, {});
  assert.equal(context.runId, undefined);
  assert.equal(context.runAttempt, undefined);
  assert.equal(context.repository, undefined);
  assert.equal(runGitHub(context).runUrl, undefined);
  assert.equal(runGitHub(context).serverUrl, undefined);
  assert.deepEqual(readTrigger(context), { event: 'local' });
});

test('an event file that is not JSON is one clear error naming the file', () => {
  const path = join(tempDir('autostack-context-'), 'event.json');
  writeFileSync(path, '{ not json');
  assert.throws(
    () => withRunnerEnv({ GITHUB_EVENT_PATH: path }, readGitHubContext),
    (error: unknown) =>
      error instanceof UserError && error.message.startsWith(`GITHUB_EVENT_PATH '${path}' is not a JSON event payload`),
  );
});
