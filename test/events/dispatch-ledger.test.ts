import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchMarkerKey, dispatchTargetId } from '../../src/events/dispatch-ledger.js';
import { dispatchedMarkerKey } from '../../src/events/relay.js';

test('emit-event and a relay route to the same target share one ledger marker', () => {
  const fromEmit = dispatchMarkerKey(
    'app:events',
    'order-42',
    dispatchTargetId({ kind: 'workflow_dispatch', repository: 'Octo/Deploy', workflow: 'deploy.yml', ref: 'main' }),
  );
  const fromRelay = dispatchedMarkerKey('app:events', 'order-42', {
    kind: 'workflow_dispatch',
    repository: 'octo/deploy',
    workflow: 'deploy.yml',
    ref: 'main',
    inputs: { env: 'prod' },
    tokenEnv: 'DEPLOY_TOKEN',
  });
  assert.equal(fromRelay, fromEmit);
  assert.match(fromEmit, /^\{app:events\}:dispatched:[0-9a-f]{40}$/);
});

test('another target, ref or key is another marker', () => {
  const base = { kind: 'workflow_dispatch', repository: 'octo/deploy', workflow: 'deploy.yml', ref: 'main' } as const;
  const key = (target: Parameters<typeof dispatchTargetId>[0], idem = 'k') =>
    dispatchMarkerKey('s', idem, dispatchTargetId(target));
  const keys = new Set([
    key(base),
    key({ ...base, ref: 'release' }),
    key({ ...base, workflow: 'other.yml' }),
    key(base, 'k2'),
    key({ kind: 'repository_dispatch', repository: 'octo/deploy' }),
    key({ kind: 'repository_dispatch', repository: 'octo/deploy', eventType: 'deploy' }),
  ]);
  assert.equal(keys.size, 6);
});
