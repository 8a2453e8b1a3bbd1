// The `autostack` shim main steps put on PATH: written by a job's first main step, left alone by
// the next ones while it is right, written again when it is not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Job } from '../harness/job.js';

test('a second main step leaves a correct shim as it is; a wrong one is written again', async () => {
  const job = new Job();
  try {
    const first = await job.uses('actions/record-run', { name: 'shim', artifact: 'false' });
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    const root = join(job.runnerTemp, 'autostack-cli');
    const [folder] = readdirSync(root);
    assert.ok(folder, 'the shim folder exists');
    const shim = join(root, folder, 'autostack');
    const written = statSync(shim);
    assert.equal(written.mode & 0o777, 0o755);
    assert.match(execFileSync(shim, ['--version'], { encoding: 'utf8' }), /\d+\.\d+\.\d+/);

    const second = await job.uses('actions/emit-event', {
      type: 'com.example.shim',
      data: 'n: 1',
      file: join(job.workspace, 'events.jsonl'),
    });
    assert.equal(second.exitCode, 0, second.stdout + second.stderr);
    const kept = statSync(shim);
    assert.equal(kept.ino, written.ino, 'not replaced by a rename');
    assert.equal(kept.mtimeMs, written.mtimeMs, 'not rewritten');

    const right = readFileSync(shim, 'utf8');
    writeFileSync(shim, '#!/bin/sh\nexit 1\n');
    const third = await job.uses('actions/record-run', { name: 'shim again', artifact: 'false' });
    assert.equal(third.exitCode, 0, third.stdout + third.stderr);
    assert.equal(readFileSync(shim, 'utf8'), right);
    assert.equal(statSync(shim).mode & 0o777, 0o755);
  } finally {
    rmSync(job.root, { recursive: true, force: true });
  }
});
