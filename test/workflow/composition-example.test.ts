// The composition example, end to end through the shipped CLI bundle (autostack workflow run):
// release-parent.yml dispatches release-child.yml, waits for it through the runner's loopback
// GitHub API, and uses the version the child recorded with `autostack output`.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/job.js';
import { runLocalWorkflow } from '../harness/workflow-run.js';

test('release example: the parent dispatches the child, waits, and uses the version the child produced', async () => {
  const root = mkdtempSync(join(tmpdir(), 'autostack-composition-'));
  try {
    cpSync(join(REPO_ROOT, 'workflows-examples'), join(root, 'workflows-examples'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'dist'), join(root, 'dist'));
    const { code, stdout, stderr, result } = await runLocalWorkflow(
      [join(root, 'workflows-examples/release-parent.yml'), '--event', 'workflow_dispatch'],
      {
        root,
        env: {},
      },
    );
    const out = stdout + stderr;
    assert.equal(code, 0, out);
    assert.equal(result.conclusion, 'success', out);
    assert.deepEqual(result.runs.map((run) => [run.file.replace(/^.*\//, ''), run.conclusion]).sort(), [
      ['release-child.yml', 'success'],
      ['release-parent.yml', 'success'],
    ]);
    const parent = result.runs.find((run) => run.file.endsWith('release-parent.yml'));
    const childRun = result.runs.find((run) => run.file.endsWith('release-child.yml'));
    const step = parent?.jobs[0]?.steps.find((s) => s.id === 'build');
    assert.ok(step, out);
    assert.equal(step.outputs['child-run-id'], String(childRun?.runId));
    assert.equal(step.outputs['child-conclusion'], 'success');
    const outputs = JSON.parse(step.outputs['child-outputs'] ?? '{}') as Record<string, string>;
    assert.match(outputs.version ?? '', /^1\.4\.\d+$/);
    assert.equal(outputs.component, 'api');
    assert.match(
      out,
      new RegExp(`child concluded success and built version ${outputs.version?.replace(/\./g, '\\.')}`),
    );
    // The child ran while the parent waited: it finished before the parent did.
    assert.ok(
      result.runs.indexOf(childRun as (typeof result.runs)[number]) <
        result.runs.indexOf(parent as (typeof result.runs)[number]),
      'child completed first',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
