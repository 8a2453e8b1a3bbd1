// The GitHub context comes from @actions/github's Context (GITHUB_* and GITHUB_EVENT_PATH), read
// once by the entry point; unset variables are undefined, and a broken event file is one clear line.
// The reader is ours (no @actions/github module on the start path); Context is the reference it is held to.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Context } from '@actions/github/context';
import { fc } from '../property/settings.js';
import { type GitHubContext, readGitHubContext } from '../../src/io/github-context.js';
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

/** What readGitHubContext returned when it read @actions/github's Context: the reference. */
function throughContext(): GitHubContext {
  const context = new Context();
  let repository: string | undefined;
  try {
    const { owner, repo } = context.repo;
    repository = owner && repo ? `${owner}/${repo}` : undefined;
  } catch {
    repository = undefined;
  }
  const number = (value: number) => (Number.isFinite(value) ? String(value) : undefined);
  return {
    payload: context.payload,
    eventName: context.eventName || undefined,
    repository,
    sha: context.sha || undefined,
    ref: context.ref || undefined,
    workflow: context.workflow || undefined,
    action: context.action || undefined,
    actor: context.actor || undefined,
    job: context.job || undefined,
    runId: number(context.runId),
    runAttempt: number(context.runAttempt),
    serverUrl: context.serverUrl,
    apiUrl: context.apiUrl,
  };
}

test('the hand reader gives what @actions/github’s Context gives, for any runner variables and payload', () => {
  const folder = tempDir('autostack-context-');
  const value = fc.oneof(fc.constantFrom('', '0', '12', '4242abc', ' 7', 'x', 'o/r', 'o/', '/r', 'o/r/x'), fc.string());
  const variables = fc.dictionary(
    fc.constantFrom(
      'GITHUB_EVENT_NAME',
      'GITHUB_REPOSITORY',
      'GITHUB_RUN_ID',
      'GITHUB_RUN_ATTEMPT',
      'GITHUB_SHA',
      'GITHUB_REF',
      'GITHUB_WORKFLOW',
      'GITHUB_ACTION',
      'GITHUB_ACTOR',
      'GITHUB_JOB',
      'GITHUB_SERVER_URL',
      'GITHUB_API_URL',
    ),
    value,
  );
  const payload = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom({}, { repository: { name: 'r', owner: { login: 'o' } } }, { repository: { name: 'r' } }),
    fc.record({ repository: fc.record({ name: value, owner: fc.record({ login: value }) }), action: value }),
  );
  let file = 0;
  fc.assert(
    fc.property(variables, payload, (env, event) => {
      const eventPath = join(folder, `event-${++file}.json`);
      if (event !== undefined) writeFileSync(eventPath, JSON.stringify(event));
      const all = { ...env, GITHUB_EVENT_PATH: eventPath };
      // Context prints a line when the event file is missing; the hand reader does not (see its comment).
      const write = process.stdout.write;
      process.stdout.write = () => true;
      try {
        assert.deepEqual(
          withRunnerEnv(all, () => readGitHubContext()),
          withRunnerEnv(all, throughContext),
        );
      } finally {
        process.stdout.write = write;
      }
    }),
  );
});
