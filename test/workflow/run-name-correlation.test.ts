// repository_dispatch returns no run id: a waiting parent finds its child by the event id the
// child's `run-name` carries. The local runner evaluates `run-name` as GitHub does, so this
// works offline, end to end, through the shipped CLI bundle.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/job.js';
import { runLocalWorkflow } from '../harness/workflow-run.js';

const PARENT = `name: Deploy (parent)
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: OWNER/autostack/actions/record-run@v1
        with:
          name: deploy-parent
      - id: ship
        uses: OWNER/autostack/actions/emit-event@v1
        with:
          type: com.example.deploy.requested
          data: 'target: staging'
          dispatch-repository: octo-org/octo-repo
          wait: true
      - run: echo "child said $URL"
        env:
          URL: \${{ fromJSON(steps.ship.outputs.child-outputs).url }}
`;

const CHILD = `name: Deploy (child)
on:
  repository_dispatch:
    types: [com.example.deploy.requested]
run-name: deploy \${{ github.event.client_payload.autostack.id }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: OWNER/autostack/actions/record-run@v1
        with:
          name: deploy-child
      - run: node dist/cli/index.js output url="https://staging.example.com/\${{ github.event.client_payload.autostack.data.target }}"
`;

test('repository_dispatch wait: the parent finds its child by the event id in run-name and uses its output', async () => {
  const root = mkdtempSync(join(tmpdir(), 'autostack-run-name-'));
  try {
    mkdirSync(join(root, 'wf'));
    writeFileSync(join(root, 'wf', 'parent.yml'), PARENT);
    writeFileSync(join(root, 'wf', 'child.yml'), CHILD);
    symlinkSync(join(REPO_ROOT, 'dist'), join(root, 'dist'));
    const { code, stdout, stderr, result } = await runLocalWorkflow(
      [join(root, 'wf', 'parent.yml'), '--event', 'workflow_dispatch'],
      {
        root,
        env: { AUTOSTACK_WAIT_POLL_MS: '50' },
      },
    );
    const out = stdout + stderr;
    assert.equal(code, 0, out);
    const parent = result.runs.find((entry) => entry.file.endsWith('parent.yml'));
    const child = result.runs.find((entry) => entry.file.endsWith('child.yml'));
    assert.ok(parent && child, out);
    const ship = parent.jobs[0]?.steps.find((step) => step.id === 'ship');
    assert.equal(ship?.outputs['workflow-run-id'], '', 'repository_dispatch returns no run id');
    assert.equal(ship?.outputs['child-run-id'], String(child.runId), out);
    assert.equal(ship?.outputs['child-conclusion'], 'success');
    assert.deepEqual(JSON.parse(ship?.outputs['child-outputs'] ?? '{}'), {
      url: 'https://staging.example.com/staging',
    });
    assert.match(out, /child said https:\/\/staging\.example\.com\/staging/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
