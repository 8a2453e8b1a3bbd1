// The job summary is appended without core.summary (whose fs.promises write loads fs/promises and
// readline on every post step): the same bytes in the same file, and the same refusals.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as core from '@actions/core';
import { appendStepSummary } from '../../src/io/step-summary.js';
import { tempDir } from '../harness/temp.js';

const MARKDOWN = '### ✅ autostack run `x`: success\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n';

test('writes what core.summary.addRaw(markdown, true).write() writes, after what is already there', async () => {
  const folder = tempDir('autostack-summary-');
  const ours = join(folder, 'ours');
  const cores = join(folder, 'core');
  for (const path of [ours, cores]) writeFileSync(path, 'earlier step\n');
  appendStepSummary(MARKDOWN, { GITHUB_STEP_SUMMARY: ours });
  appendStepSummary('second', { GITHUB_STEP_SUMMARY: ours });
  const saved = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = cores;
  try {
    await core.summary.addRaw(MARKDOWN, true).write();
    await core.summary.addRaw('second', true).write();
  } finally {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  }
  assert.equal(readFileSync(ours, 'utf8'), readFileSync(cores, 'utf8'));
  assert.ok(readFileSync(ours, 'utf8').startsWith('earlier step\n###'), 'appended, not overwritten');
});

test('no GITHUB_STEP_SUMMARY: an error naming the variable', () => {
  assert.throws(() => appendStepSummary(MARKDOWN, {}), /GITHUB_STEP_SUMMARY is not set/);
});

test('a summary file the runner did not make is not created (ENOENT), as core.summary refuses it', () => {
  const path = join(tempDir('autostack-summary-'), 'missing');
  assert.throws(() => appendStepSummary(MARKDOWN, { GITHUB_STEP_SUMMARY: path }), { code: 'ENOENT' });
  assert.equal(existsSync(path), false);
});
