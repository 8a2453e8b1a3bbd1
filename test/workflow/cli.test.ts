// autostack workflow run through the shipped CLI bundle: exit codes, one-line errors naming the
// file and line, and Ctrl-C behaving like a cancelled run on GitHub.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { CLI_BUNDLE } from '../harness/job.js';
import { workspace } from './helpers.js';

function start(args: string[], cwd: string) {
  const child = spawn(process.execPath, [CLI_BUNDLE, 'workflow', 'run', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, output: () => stdout };
}

test('an unsupported feature is one error line with file:line, exit 1, no stack trace', async () => {
  const root = workspace({
    'w.yml':
      'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres\n    steps:\n      - run: echo hi\n',
  });
  const { code, stdout, stderr } = await start(['w.yml', '--event', 'push'], root).done;
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.match(
    stderr,
    /^error: w\.yml:5: job 'build' uses service containers \(services:\), which the local runner does not support/,
  );
});

test('flag errors name the flag', async () => {
  const root = workspace({
    'w.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n',
    'bad.json': '{nope',
  });
  const noEvent = await start(['w.yml'], root).done;
  assert.equal(noEvent.code, 1);
  assert.match(noEvent.stderr, /^error: Flag '--event NAME' is required/);
  const badPayload = await start(['w.yml', '--event', 'push', '--payload', 'bad.json'], root).done;
  assert.match(badPayload.stderr, /^error: Flag '--payload': bad\.json is not valid JSON/);
  const badInput = await start(['w.yml', '--event', 'push', '--input', 'novalue'], root).done;
  assert.match(badInput.stderr, /^error: Flag '--input novalue' must be NAME=VALUE/);
  const missingSecret = await start(['w.yml', '--event', 'push', '--secret', 'AUTOSTACK_TEST_UNSET_SECRET'], root).done;
  assert.match(missingSecret.stderr, /AUTOSTACK_TEST_UNSET_SECRET is not set in this shell/);
});

test('Ctrl-C cancels: the running step is interrupted, always() and cancelled() steps still run, exit 1', async () => {
  const root = workspace({
    'w.yml': `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo started && sleep 30
      - run: echo not reached
      - if: cancelled()
        run: echo cleanup after cancel
      - if: always()
        run: echo always ran
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo not reached either
`,
  });
  const running = start(['w.yml', '--event', 'push'], root);
  const began = Date.now();
  while (!running.output().includes('started')) {
    if (Date.now() - began > 15_000) throw new Error('the step did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  running.child.kill('SIGINT');
  const { code, stdout } = await running.done;
  assert.equal(code, 1);
  assert.ok(Date.now() - began < 15_000);
  assert.match(stdout, /Cancelling: the running step gets SIGINT/);
  assert.match(stdout, /cleanup after cancel/);
  assert.match(stdout, /always ran/);
  assert.doesNotMatch(stdout, /^│ {3}not reached/m);
  assert.match(stdout, /│ - Run echo not reached \(skipped\)/);
  assert.match(stdout, /└ job a: cancelled/);
  assert.match(stdout, /- job b skipped/);
  assert.match(stdout, /Result: cancelled/);
});
