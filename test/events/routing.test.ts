import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, parseRouting, renderTemplate, resolveTarget } from '../../src/events/routing.js';
import { createEvent } from '../../src/events/envelope.js';
import { UserError } from '../../src/shared/errors.js';

const FILE = 'relay.yml';

function failure(text: string): UserError {
  try {
    parseRouting(text, FILE);
  } catch (error) {
    assert.ok(error instanceof UserError, String(error));
    return error;
  }
  assert.fail('expected the routing file to be refused');
}

test('patterns: * is one dot segment, ** is anything; every matching route fires, in file order', () => {
  assert.ok(compilePattern('com.example.*').test('com.example.issue'));
  assert.ok(!compilePattern('com.example.*').test('com.example.issue.opened'));
  assert.ok(compilePattern('com.example.**').test('com.example.issue.opened'));
  assert.ok(compilePattern('**').test('anything.at.all'));
  assert.ok(!compilePattern('a.b').test('aXb'), 'dots are literal');

  const routing = parseRouting(
    `repository: octo-org/default
routes:
  - match: com.example.issue.*
    event-type: issue-event
  - match: [com.example.**, other]
    repository: octo-org/audit
  - match: com.example.deploy.requested
    repository: octo-org/app
    workflow: deploy.yml
    ref: main
    inputs:
      environment: "{{ data.env }}"
      reason: "{{ type }} from {{ source }}"
      dry: true
    token-env: APP_TOKEN
unrouted: skip
`,
    FILE,
  );
  assert.equal(routing.unrouted, 'skip');
  assert.deepEqual(
    routing.match('com.example.issue.opened').map((r) => r.name),
    ['routes[0] (relay.yml:3)', 'routes[1] (relay.yml:5)'],
  );
  assert.deepEqual(
    routing.match('other').map((r) => r.target.repository),
    ['octo-org/audit'],
  );
  assert.deepEqual(routing.match('nothing'), []);
  assert.deepEqual(routing.tokenEnvs(), ['APP_TOKEN']);

  const event = createEvent({
    type: 'com.example.deploy.requested',
    source: 'https://github.com/o/r',
    data: { env: 'staging' },
    workflowRunId: '1',
    step: 's',
  });
  const [audit, deploy] = routing.match(event.type);
  assert.ok(audit && deploy);
  assert.deepEqual(resolveTarget(deploy, event), {
    kind: 'workflow_dispatch',
    repository: 'octo-org/app',
    workflow: 'deploy.yml',
    ref: 'main',
    inputs: { environment: 'staging', reason: 'com.example.deploy.requested from https://github.com/o/r', dry: true },
    tokenEnv: 'APP_TOKEN',
  });
  assert.equal(resolveTarget(audit, event).kind, 'repository_dispatch');
  assert.equal(renderTemplate('{{ data.missing.deep }}|{{ idempotencykey }}', event), `|${event.idempotencykey}`);
  assert.deepEqual(JSON.parse(renderTemplate('{{ event }}', event)), JSON.parse(JSON.stringify(event)));
});

test('routing errors name the file, the line and what would be valid', () => {
  assert.match(
    failure('routes:\n  - match: a\n    repository: octo-org/x\n    colour: red\n').message,
    /^relay\.yml:2: routes\[0\] has unknown key\(s\) colour/,
  );
  assert.match(
    failure('routes:\n  - match: a\n    repository: not-a-repo\n').message,
    /^relay\.yml:3: routes\[0\]\.repository must be owner\/repo/,
  );
  assert.match(
    failure('routes:\n  - match: a\n    repository: o/r\n    workflow: d.yml\n    event-type: x\n').message,
    /^relay\.yml:5: routes\[0\]\.event-type is for repository_dispatch/,
  );
  assert.match(
    failure('routes:\n  - match: a\n    repository: o/r\n    inputs: {a: b}\n').message,
    /^relay\.yml:4: routes\[0\]\.inputs only applies to a workflow route/,
  );
  assert.match(failure('routes:\n  - match: a\n').message, /^relay\.yml:2: routes\[0\] has no repository/);
  assert.match(failure('routes: [\n').message, /^relay\.yml:\d+: not valid YAML/);
  assert.match(failure('').message, /^relay\.yml: the file is empty; it needs a routes: list/);
  assert.match(failure('routes: []\n').message, /^relay\.yml:1: routes must list at least one route/);
  assert.match(
    failure(`routes:\n  - match: a\n    repository: o/r\n    event-type: ${'x'.repeat(101)}\n`).message,
    /relay\.yml:4: .*at most 100 characters/,
  );
  const error = failure('unrouted: drop\nroutes:\n  - {match: a, repository: o/r}\n');
  assert.equal(error.file, FILE);
  assert.equal(error.line, 1);
  assert.match(error.message, /unrouted/);
});
