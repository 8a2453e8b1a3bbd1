import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startResultsService } from '../fakes/results-service.js';
import { Job, type StepResult } from '../harness/job.js';
import { forSuite } from '../harness/fixtures.js';
import { tempDir } from '../harness/temp.js';

/**
 * The post step when the record directory fails at post time (the main step found it writable):
 * a read-only directory, a path that is no longer a directory, a file-size limit (EFBIG, what a
 * full disk looks like to a process: every write past the limit fails) and a full filesystem
 * (ENOSPC on a tiny tmpfs, where mounting is allowed). Always through the shipped bundles.
 */

const ACTION = 'actions/record-run';
const isRoot = process.getuid?.() === 0;
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

function oneLine(step: StepResult | undefined, pattern: RegExp): string {
  const line = [...(step?.warnings ?? []), ...(step?.errors ?? [])].find((message) => pattern.test(message));
  assert.ok(line, `no annotation matches ${String(pattern)}:\n${step?.stdout ?? ''}`);
  assert.doesNotMatch(line, /\n|%0A|\bat .*\(.*:\d+:\d+\)/, 'one line, no stack trace');
  return line;
}

describe('record-run keeps the record when the disk fails at post time', () => {
  const results = forSuite(
    () => startResultsService(),
    (service) => service.close(),
  );

  async function artifactRecord(runId: string): Promise<{ runId: string; status: string }> {
    const files = await results().artifactFiles(`autostack-run-${runId}`);
    const bytes = files.get('run-record.json');
    assert.ok(bytes, 'artifact holds run-record.json');
    return JSON.parse(bytes.toString()) as { runId: string; status: string };
  }

  test('a record directory that became a path under a regular file (ENOTDIR): artifact uploaded, step ok with a warning', async () => {
    const job = new Job({ env: results().env() });
    const main = await job.uses(ACTION, { name: 'enotdir', directory: 'records/runs' });
    assert.equal(main.exitCode, 0, main.stdout + main.stderr);
    const runId = main.outputs['run-id'] ?? '';
    // Works as root too: no permission bit can make mkdir succeed under a regular file.
    rmSync(join(job.workspace, 'records'), { recursive: true });
    writeFileSync(join(job.workspace, 'records'), 'not a folder\n');
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    const line = oneLine(post, /could not write the run record/);
    assert.match(line, /records\/runs/, 'names the directory');
    assert.match(line, /ENOTDIR/, 'names the cause');
    assert.deepEqual(post?.errors, []);
    const record = await artifactRecord(runId);
    assert.equal(record.runId, runId);
    assert.equal(record.status, 'success');
  });

  test(
    'a read-only record directory (chmod 0555): artifact uploaded, step ok with a warning',
    { skip: isRoot && 'running as root: chmod cannot stop root writing (the ENOTDIR case covers it)' },
    async () => {
      const job = new Job({ env: results().env() });
      const main = await job.uses(ACTION, { name: 'read-only', directory: 'records' });
      const runId = main.outputs['run-id'] ?? '';
      const directory = join(job.workspace, 'records');
      chmodSync(directory, 0o555);
      try {
        const [post] = await job.complete();
        assert.equal(post?.exitCode, 0, post?.stdout);
        assert.match(oneLine(post, /could not write the run record/), /records.*EACCES/);
        assert.deepEqual(readdirSync(directory), [], 'no partial record, no temporary file');
        assert.equal((await artifactRecord(runId)).runId, runId);
      } finally {
        chmodSync(directory, 0o755);
      }
    },
  );

  /** A job whose node runs under `prlimit --fsize` once `limit` is called (so: the post step only). */
  function limitedJob(): { job: Job; limit: (bytes: number) => void } {
    const folder = tempDir('autostack-fsize-');
    const limitFile = join(folder, 'fsize');
    const wrapper = join(folder, 'node');
    // A node script, not sh: a shell drops the runner's `STATE_run-id` style variables (not shell names).
    writeFileSync(
      wrapper,
      [
        `#!${process.execPath}`,
        "const { spawnSync } = require('node:child_process');",
        "const { readFileSync } = require('node:fs');",
        `let limit = 'unlimited'; try { limit = readFileSync(${JSON.stringify(limitFile)}, 'utf8'); } catch {}`,
        `const run = spawnSync('prlimit', ['--fsize=' + limit, '--', ${JSON.stringify(process.execPath)}, ...process.argv.slice(2)], { stdio: 'inherit' });`,
        'process.exit(run.status ?? 1);',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const job = new Job({ env: results().env(), nodePath: wrapper });
    return { job, limit: (bytes) => writeFileSync(limitFile, String(bytes)) };
  }

  async function bigRun(job: Job, inputs: Record<string, string>): Promise<string> {
    const main = await job.uses(ACTION, { name: 'full disk', directory: 'records', ...inputs });
    assert.equal(main.exitCode, 0, main.stdout + main.stderr);
    // A record of ~40 KB (the data is kept in the record's events, not in the summary).
    const log = await job.cli(['log', 'big', '--data', JSON.stringify({ blob: 'x'.repeat(40_000) })]);
    assert.equal(log.exitCode, 0, log.stderr);
    return main.outputs['run-id'] ?? '';
  }

  test(
    'a file-size limit (EFBIG on every file, RUNNER_TEMP and tmpfs too): no truncated record; the summary keeps the run',
    { skip: !hasPrlimit && 'util-linux prlimit is not installed' },
    async () => {
      const { job, limit } = limitedJob();
      const runId = await bigRun(job, {});
      limit(16_384);
      const [post] = await job.complete();
      assert.equal(post?.exitCode, 0, post?.stdout);
      assert.match(oneLine(post, /could not write the run record/), /records \(EFBIG/);
      oneLine(post, /could not upload the run record/);
      oneLine(post, /exists only in the job summary/);
      assert.match(post?.summary ?? '', /autostack run `full disk`: success/);
      assert.deepEqual(readdirSync(join(job.workspace, 'records')), [], 'no truncated record, no temporary file');
      assert.equal(
        results()
          .artifacts()
          .some((artifact) => artifact.name === `autostack-run-${runId}`),
        false,
      );
    },
  );

  test(
    'no copy anywhere (EFBIG and summary: false): the step fails with one line naming the directory and the cause',
    { skip: !hasPrlimit && 'util-linux prlimit is not installed' },
    async () => {
      const { job, limit } = limitedJob();
      await bigRun(job, { summary: 'false' });
      limit(16_384);
      const [post] = await job.complete();
      assert.equal(post?.exitCode, 1, post?.stdout);
      const line = oneLine(post, /could not be kept anywhere/);
      assert.match(line, /writing records failed \(EFBIG/);
      assert.doesNotMatch(post?.stdout ?? '', /internal error/i);
      assert.deepEqual(readdirSync(join(job.workspace, 'records')), []);
    },
  );
});

/** Mounting needs root (CAP_SYS_ADMIN); where it is allowed, a real full filesystem is the best witness. */
function tryMountTmpfs(path: string, size: string): boolean {
  if (!isRoot) return false;
  mkdirSync(path, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]).status === 0;
}

describe('record-run on a full filesystem (ENOSPC)', () => {
  const results = forSuite(
    () => startResultsService(),
    (service) => service.close(),
  );

  test('record directory and RUNNER_TEMP on a full tmpfs: the artifact is staged elsewhere and uploaded', async (t) => {
    const job = new Job({ env: results().env() });
    const disk = join(job.workspace, 'full');
    if (!tryMountTmpfs(disk, '256k')) {
      t.skip('mounting a tmpfs is not allowed here (needs root with CAP_SYS_ADMIN)');
      return;
    }
    t.after(() => execFileSync('umount', [disk]));
    const runnerTemp = join(disk, 'runner-temp');
    mkdirSync(runnerTemp);
    job.env.RUNNER_TEMP = runnerTemp;
    const main = await job.uses(ACTION, { name: 'enospc', directory: 'full/runs' });
    assert.equal(main.exitCode, 0, main.stdout + main.stderr);
    const runId = main.outputs['run-id'] ?? '';
    // Fill the filesystem: the write fails with ENOSPC and what it wrote stays, filling the disk.
    assert.throws(() => writeFileSync(join(disk, 'filler'), Buffer.alloc(1024 * 1024)), /ENOSPC/);
    const [post] = await job.complete();
    assert.equal(post?.exitCode, 0, post?.stdout);
    assert.match(oneLine(post, /could not write the run record/), /full\/runs \(ENOSPC/);
    assert.deepEqual(readdirSync(join(disk, 'runs')), [], 'no truncated record, no temporary file');
    const files = await results().artifactFiles(`autostack-run-${runId}`);
    const record = JSON.parse(files.get('run-record.json')?.toString() ?? '{}') as { runId?: string };
    assert.equal(record.runId, runId);
    assert.deepEqual(
      readdirSync(runnerTemp).filter((name) => name.startsWith('autostack-artifact-')),
      [],
      'no staging folder left behind',
    );
  });
});
