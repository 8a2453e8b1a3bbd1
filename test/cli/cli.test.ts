// The autostack CLI as people use it, through the shipped bundle: --version, one-line flag
// errors, bare and --no- booleans, subcommand flags, --json named as the action's outputs,
// runs list filters, runs show, colour only where it belongs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { useTempDir } from '../harness/fixtures.js';
import { actionOutputNames, CLI_BUNDLE, REPO_ROOT } from '../harness/job.js';

function tempDir(t: TestContext): string {
  return useTempDir(t, 'autostack-cli-');
}

/** Runs the CLI bundle in `cwd` with a clean environment (no colour forced, no run journal). */
function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI_BUNDLE, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: cwd, XDG_STATE_HOME: join(cwd, 'state'), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, not the whole help:\n${stderr}`);
  return lines[0] ?? '';
}

test('--version prints the package version', () => {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const result = cli(tmpdir(), ['--version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout.trim(), version);
});

test('a bad flag or flag value is one line naming the flag as typed, what is valid and where help is', (t) => {
  const dir = tempDir(t);
  const unknown = cli(dir, ['emit', '--typ', 'x']);
  assert.equal(unknown.code, 1);
  assert.equal(
    oneLine(unknown.stderr),
    "error: unknown flag '--typ' (Did you mean --type?); see 'autostack emit --help'",
  );

  const choice = cli(dir, ['relay', '--mode', 'sometimes']);
  assert.equal(choice.code, 1);
  assert.equal(
    oneLine(choice.stderr),
    "error: flag '--mode' got 'sometimes': must be one of once, continuous; see 'autostack relay --help'",
  );

  const range = cli(dir, ['runs', 'list', '--limit', 'all']);
  assert.equal(
    oneLine(range.stderr),
    "error: flag '--limit' got 'all': must be a whole number (0 for all); see 'autostack runs list --help'",
  );

  const required = cli(dir, ['step', '--', 'true']);
  assert.equal(oneLine(required.stderr), "error: required flag '--name' not specified; see 'autostack step --help'");

  // A value the action's own schema rejects is said in the CLI's terms too.
  const schema = cli(dir, ['record-run', 'start', '--retention-days', '400']);
  assert.equal(schema.code, 1);
  assert.equal(
    oneLine(schema.stderr),
    "error: flag '--retention-days' must be a whole number from 1 to 90 (got 400); see 'autostack record-run start --help'",
  );
  assert.doesNotMatch(unknown.stderr + choice.stderr + schema.stderr, /Usage:|\n\s+at /);
});

test('subcommand flags reach the subcommand: record-run start --name x --directory d, then finish --directory d', (t) => {
  const dir = tempDir(t);
  const started = cli(dir, ['record-run', 'start', '--name', 'nightly', '--directory', 'records', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const outputs = JSON.parse(started.stdout) as Record<string, string>;
  assert.deepEqual(
    Object.keys(outputs).sort(),
    actionOutputNames('record-run'),
    '--json is named as the action outputs',
  );
  assert.ok(existsSync(join(dir, 'records')), '--directory was applied by start');
  // Off a runner the journal lives in the per-user state directory, not in /tmp.
  assert.ok(outputs.journal?.startsWith(join(dir, 'state', 'autostack', 'journals')), outputs.journal);
  const journal = readFileSync(outputs.journal ?? '', 'utf8');
  assert.match(journal, /"type":"run.started","name":"nightly"/);

  const env = { AUTOSTACK_RUN_ID: outputs['run-id'] ?? '', AUTOSTACK_JOURNAL: outputs.journal ?? '' };
  const finished = cli(dir, ['record-run', 'finish', '--directory', 'records', '--no-artifact', '--json'], env);
  assert.equal(finished.code, 0, finished.stderr);
  const record = JSON.parse(readFileSync(join(dir, 'records', `${outputs['run-id']}.json`), 'utf8')) as {
    name: string;
    status: string;
  };
  assert.equal(record.name, 'nightly');
  assert.equal(record.status, 'success');
  assert.deepEqual(JSON.parse(finished.stdout), {
    'run-id': outputs['run-id'],
    'record-path': join('records', `${outputs['run-id']}.json`),
  });
});

test('boolean flags work bare and with --no-; a bad boolean value is one line', (t) => {
  const dir = tempDir(t);
  const bare = cli(dir, [
    'record-run',
    '--name',
    'b',
    '--directory',
    'r',
    '--artifact',
    '--no-summary',
    '--json',
    '--',
    'true',
  ]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal((JSON.parse(bare.stdout) as Record<string, unknown>)['exit-code'], 0);
  const explicit = cli(dir, ['record-run', 'start', '--artifact=false', '--summary', 'yes']);
  assert.equal(explicit.code, 0, explicit.stderr);
  const bad = cli(dir, ['record-run', 'start', '--artifact=maybe']);
  assert.equal(
    oneLine(bad.stderr),
    "error: flag '--artifact' got 'maybe': must be true or false; see 'autostack record-run start --help'",
  );
  const help = cli(dir, ['promote', '--help']);
  assert.match(help.stdout, /--dry-run \[boolean\]/, 'booleans from the action schema are bare flags');
});

function writeRecord(
  dir: string,
  runId: string,
  name: string,
  status: string,
  startedAt: string,
  extra: Record<string, unknown> = {},
): void {
  mkdirSync(dir, { recursive: true });
  const record = {
    schema: 'autostack.run-record/v1',
    runId,
    name,
    status,
    startedAt,
    endedAt: startedAt,
    durationMs: 1500,
    totals: {
      modelCalls: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
      toolCalls: 0,
      eventsPublished: 0,
    },
    steps: [],
    errors: [],
    events: [],
    ...extra,
  };
  writeFileSync(join(dir, `${runId}.json`), JSON.stringify(record));
}

test('runs list filters by automation, status and time; --limit 0 is all; JSON is never cut without a note', (t) => {
  const dir = tempDir(t);
  const records = join(dir, 'runs');
  const now = Date.now();
  const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
  writeRecord(records, 'r1', 'triage', 'success', ago(1));
  writeRecord(records, 'r2', 'triage', 'failure', ago(5));
  writeRecord(records, 'r3', 'nightly', 'success', ago(30));
  for (let n = 0; n < 22; n += 1)
    writeRecord(records, `old-${String(n).padStart(2, '0')}`, 'bulk', 'cancelled', ago(100 + n));
  const ids = (args: string[]) => {
    const result = cli(dir, ['runs', 'list', '--directory', records, '--json', ...args]);
    assert.equal(result.code, 0, result.stderr);
    return {
      ids: (JSON.parse(result.stdout) as Array<{ runId: string }>).map((record) => record.runId),
      stderr: result.stderr,
    };
  };
  assert.deepEqual(ids(['--automation', 'triage']).ids, ['r1', 'r2']);
  assert.deepEqual(ids(['--status', 'success']).ids, ['r1', 'r3']);
  assert.deepEqual(ids(['--since', '6h']).ids, ['r1', 'r2']);
  assert.deepEqual(ids(['--automation', 'triage', '--status', 'failure', '--since', '2d']).ids, ['r2']);
  const all = ids([]);
  assert.equal(all.ids.length, 25, '--json lists every record by default');
  assert.equal(all.stderr, '');
  const cut = ids(['--limit', '2']);
  assert.deepEqual(cut.ids, ['r1', 'r2']);
  assert.equal(cut.stderr, 'note: showing 2 of 25 run records (--limit 0 for all)\n');

  const table = cli(dir, ['runs', 'list', '--directory', records]);
  assert.equal(table.stdout.trim().split('\n').length, 1 + 20 + 1, 'header, 20 rows, the "more" line');
  assert.match(table.stdout, /… 5 more \(--limit 0 for all\)/);
  const everything = cli(dir, ['runs', 'list', '--directory', records, '--limit', '0']);
  assert.equal(everything.stdout.trim().split('\n').length, 1 + 25);
  const none = cli(dir, ['runs', 'list', '--directory', records, '--automation', 'nope']);
  assert.match(none.stdout, /match the filters \(25 in all\)/);
});

test('runs show prints a timeline (steps, durations, errors, tool calls, tokens, cost); --json the raw record', (t) => {
  const dir = tempDir(t);
  const records = join(dir, 'runs');
  writeRecord(records, 'r-show', 'triage', 'failure', '2026-12-01T10:00:00.000Z', {
    durationMs: 65_000,
    steps: [
      { id: 's1', name: 'classify', action: 'run-prompt', status: 'success', durationMs: 4200, outputSummary: 'bug' },
      {
        id: 's2',
        name: 'notify',
        action: 'emit-event',
        status: 'failure',
        durationMs: 800,
        error: 'Redis refused the connection',
      },
    ],
    totals: {
      modelCalls: 1,
      inputTokens: 1200,
      outputTokens: 80,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.0048,
      toolCalls: 1,
      eventsPublished: 0,
    },
    errors: [{ step: 's2', message: 'Redis refused the connection' }],
    events: [
      {
        v: 1,
        ts: '2026-12-01T10:00:01.000Z',
        run: 'r-show',
        step: 's1',
        type: 'model.call',
        provider: 'anthropic',
        model: 'claude-x',
        inputTokens: 1200,
        outputTokens: 80,
        costUsd: 0.0048,
        latencyMs: 3900,
      },
      {
        v: 1,
        ts: '2026-12-01T10:00:02.000Z',
        run: 'r-show',
        step: 's1',
        type: 'tool.call',
        tool: 'search_issues',
        input: {},
        durationMs: 250,
      },
    ],
  });
  const shown = cli(dir, ['runs', 'show', 'r-show', '--directory', records]);
  assert.equal(shown.code, 0, shown.stderr);
  const text = shown.stdout;
  assert.match(text, /^triage {2}r-show$/m);
  assert.match(text, /^failure · started 2026-12-01T10:00:00.000Z · 1 min 5 s$/m);
  assert.match(text, /✓ classify +4\.2 s {2}success \[run-prompt\] {2}bug/);
  assert.match(text, /model claude-x: 1200 in \/ 80 out tokens, \$0\.0048, 3\.9 s/);
  assert.match(text, /tool search_issues \(250 ms\)/);
  assert.match(text, /✗ notify +800 ms {2}failure \[emit-event\]\n {4}error: Redis refused the connection/);
  assert.match(text, /model calls 1 · tokens 1200 in \/ 80 out · cost \$0\.0048 · tool calls 1/);
  assert.doesNotMatch(text, /\u001b\[/, 'no colour when piped');
  const raw = cli(dir, ['runs', 'show', 'r-show', '--directory', records, '--json']);
  assert.equal(raw.stdout, readFileSync(join(records, 'r-show.json'), 'utf8'));
  const missing = cli(dir, ['runs', 'show', '../etc/passwd', '--directory', records]);
  assert.equal(missing.code, 1);
  assert.match(oneLine(missing.stderr), /must be a run id/);
});

test('colour only on a TTY: FORCE_COLOR turns it on when piped, NO_COLOR wins over a TTY', async (t) => {
  const dir = tempDir(t);
  const records = join(dir, 'runs');
  writeRecord(records, 'r1', 'triage', 'success', new Date().toISOString());
  assert.doesNotMatch(cli(dir, ['runs', 'list', '--directory', records]).stdout, /\u001b\[/);
  assert.match(cli(dir, ['runs', 'list', '--directory', records], { FORCE_COLOR: '1' }).stdout, /\u001b\[32msuccess/);
  assert.doesNotMatch(cli(dir, ['runs', 'list', '--directory', records], { FORCE_COLOR: '0' }).stdout, /\u001b\[/);
  const { colourEnabled } = await import('../../src/cli/style.js');
  assert.equal(colourEnabled({ isTTY: true }, {}), true);
  assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(
    colourEnabled({ isTTY: true }, { NO_COLOR: '' }),
    true,
    'an empty NO_COLOR does not count (no-color.org)',
  );
  assert.equal(colourEnabled({ isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(colourEnabled({ isTTY: false }, {}), false);
  assert.equal(
    colourEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }),
    true,
    'FORCE_COLOR is the explicit request',
  );
});
