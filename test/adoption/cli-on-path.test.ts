// A user's repository that is not this one: an empty folder outside the checkout whose workflow
// uses record-run from this checkout (the local runner resolves your-org/autostack/... to the
// bundles in dist/, as GitHub resolves it to the action's checkout at the pinned ref), then calls
// the `autostack` command that record-run put on PATH — no npm install, no node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { CLI_BUNDLE, REPO_ROOT } from '../harness/job.js';

const WORKFLOW = `name: adopt
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: nothing called autostack is installed
        run: '! command -v autostack'
      - uses: your-org/autostack/actions/record-run@v1
        with:
          name: adopted
      - run: autostack step --name t -- true
      - run: autostack log "x"
      - name: the command runs the CLI shipped with the action
        run: autostack --version
`;

interface RecordShape {
  name: string;
  status: string;
  steps: Array<{ name: string; action: string; status: string }>;
  events: Array<{ type: string; message?: string }>;
}

test('a repository outside the checkout: record-run puts autostack on PATH; step and log land in the run record', () => {
  const root = mkdtempSync(join(tmpdir(), 'autostack-adopt-'));
  try {
    const repo = join(root, 'repo');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.github', 'workflows', 'adopt.yml'), WORKFLOW);
    assert.ok(!repo.startsWith(REPO_ROOT), 'the user repository is outside the checkout');
    // Only node's own folder and the system ones: nothing that could already hold an autostack.
    const path = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
    const ran = spawnSync(
      process.execPath,
      [CLI_BUNDLE, 'workflow', 'run', '.github/workflows/adopt.yml', '--event', 'push', '--repository', 'octo-org/app'],
      {
        cwd: repo,
        env: { PATH: path, HOME: root, TMPDIR: root },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(ran.status, 0, `${ran.stdout}\n${ran.stderr}`);
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(
      ran.stdout,
      new RegExp(`^[\\s│]*${version.replace(/\./g, '\\.')}$`, 'm'),
      'autostack --version printed the package version',
    );
    const records = readdirSync(join(repo, '.autostack', 'runs')).filter((name) => name.endsWith('.json'));
    assert.equal(records.length, 1, records.join(', '));
    const record = JSON.parse(readFileSync(join(repo, '.autostack', 'runs', records[0] ?? ''), 'utf8')) as RecordShape;
    assert.equal(record.name, 'adopted');
    assert.equal(record.status, 'success');
    assert.ok(
      record.steps.some((step) => step.name === 't' && step.status === 'success'),
      JSON.stringify(record.steps),
    );
    assert.ok(
      record.events.some((event) => event.type === 'log' && event.message === 'x'),
      JSON.stringify(record.events.map((event) => event.type)),
    );
    assert.deepEqual(
      readdirSync(repo).sort(),
      ['.autostack', '.github'],
      'no node_modules, no package.json: nothing was installed',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
