// The actions' stdout writer (src/io/sync-stdout.ts): every byte in order on a pipe, a file and a
// non-blocking pipe that fills up, and an action bundle that never builds Node's stdout stream.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { after, test } from 'node:test';
import { Job, REPO_ROOT } from '../harness/job.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'autostack-stdout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 4000; // ~400 KB: several times a pipe's 64 KB buffer
const writer = join(dir, 'writer.ts');
writeFileSync(
  writer,
  [
    `import { exitWhenWritten, useSyncStdout } from ${JSON.stringify(join(REPO_ROOT, 'src/io/sync-stdout.ts'))};`,
    'useSyncStdout();',
    `for (let i = 0; i < ${LINES}; i++) {`,
    "  const line = `line ${i} ${'x'.repeat(90)}`;",
    '  if (i % 3 === 0) console.log(line);',
    "  else if (i % 3 === 1) process.stdout.write(line + '\\n');",
    "  else process.stdout.write(Buffer.from(line + '\\n'), () => undefined);",
    '}',
    // Which writer holds process.stdout at the end: ours, or Node's stream after a failed write.
    'process.stderr.write(`writer=${process.stdout.constructor.name}\\n`);',
    // What Node's stream still holds when the action ends, then the end every action takes.
    "process.stderr.write(`pending=${'writableLength' in process.stdout ? process.stdout.writableLength : 0}\\n`);",
    'exitWhenWritten();',
  ].join('\n'),
);
// Bundled, not run through tsx: tsx's loader builds Node's stdout stream first, which leaves the
// pipe non-blocking.
const bundle = join(dir, 'writer.mjs');
buildSync({ entryPoints: [writer], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
const writerArgs = [process.execPath, bundle];

function assertAllLines(text: string): void {
  const lines = text.split('\n').slice(0, -1);
  assert.equal(lines.length, LINES);
  lines.forEach((line, i) => assert.equal(line, `line ${i} ${'x'.repeat(90)}`));
}

test('every line arrives once and in order through a pipe', async () => {
  const { stdout, stderr } = await run(writerArgs[0] as string, writerArgs.slice(1), {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  assertAllLines(stdout);
  assert.match(stderr, /writer=EventEmitter/);
});

test('every line arrives once and in order in a file', async () => {
  const file = join(dir, 'out.txt');
  const { stderr } = await run('bash', ['-c', `"$@" > ${JSON.stringify(file)}`, 'bash', ...writerArgs], {
    cwd: REPO_ROOT,
  });
  assertAllLines(readFileSync(file, 'utf8'));
  assert.match(stderr, /writer=EventEmitter/);
});

test('a non-blocking pipe that fills up (EAGAIN) hands the rest to Node’s stream, nothing lost or doubled', async () => {
  // perl (part of every Debian) makes the pipe non-blocking and reads it only after a second, so
  // the writer meets EAGAIN once the 64 KB pipe buffer is full.
  const script = [
    'use Fcntl;',
    'pipe(my $r, my $w) or die "pipe: $!";',
    'fcntl($w, F_SETFL, fcntl($w, F_GETFL, 0) | O_NONBLOCK) or die "fcntl: $!";',
    'my $pid = fork() // die "fork: $!";',
    'if ($pid == 0) { close $r; open(STDOUT, ">&", $w) or die; exec @ARGV or die "exec: $!"; }',
    'close $w; sleep 1; local $/; my $all = <$r>; waitpid($pid, 0);',
    'print STDERR "exit=$?\\n"; print $all;',
  ].join('\n');
  const { stdout, stderr } = await run('perl', ['-e', script, ...writerArgs], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.match(stderr, /exit=0/);
  assert.doesNotMatch(stderr, /writer=EventEmitter/, 'the writer met EAGAIN and handed over to Node’s stream');
  // The reader was still asleep when the writer ended: exitWhenWritten waited for the rest.
  assert.match(stderr, /pending=[1-9]/);
  assertAllLines(stdout);
});

test('an action bundle writes its log without building Node’s stdout stream (no net module loaded)', async () => {
  const probe = join(dir, 'probe.cjs');
  const loaded = join(dir, 'loaded.txt');
  writeFileSync(
    probe,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));`,
  );
  const job = new Job({ env: { NODE_OPTIONS: `--require ${probe}` } });
  try {
    const step = await job.uses('actions/record-run', { name: 'stdout probe', artifact: 'false' });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.match(step.stdout, /autostack run \S+ started/);
    const modules = readFileSync(loaded, 'utf8').split('\n');
    assert.ok(modules.includes('NativeModule fs'), 'the probe saw the step’s modules');
    assert.ok(!modules.includes('NativeModule net'), 'net (Node’s pipe stream) was loaded');
  } finally {
    rmSync(job.root, { recursive: true, force: true });
  }
});
