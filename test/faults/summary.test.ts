/**
 * The fault suite: real faults injected into the shipped bundles (dist/) on loopback — the
 * Messages API, Redis, GitHub, signals, an unwritable and a full disk — each scenario counting
 * the runs it made and what was lost or duplicated. The last test prints one line,
 * `faults injected: N, runs: R, lost: 0, duplicated: 0`, and fails unless both are 0.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { errorReply, resetReply, startAnthropicApi, streamErrorReply, textReply } from '../fakes/anthropic-api.js';
import { startGitHubApi, type GitHubApi } from '../fakes/github-api.js';
import { startRedis } from '../fakes/redis.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';
import { Job, type StepResult } from '../harness/job.js';
import { tempDir } from '../harness/temp.js';

interface Tally {
  scenario: string;
  faults: number;
  runs: number;
  lost: number;
  duplicated: number;
}
const tallies: Tally[] = [];
const SCENARIOS = 6;

function count(t: TestContext, tally: Omit<Tally, 'scenario'>): void {
  tallies.push({ scenario: t.name, ...tally });
  t.diagnostic(`${t.name}: ${JSON.stringify(tally)}`);
}

const TOKEN = 'ghs_faultsuite0123456789abcdefABCDEF';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface RecordFile {
  runId: string;
  status: string;
  totals: { modelCalls: number };
  steps: Array<{ status: string }>;
}

/** The run's record wherever a copy was kept: the local file, else the uploaded artifact. */
async function keptRecord(
  job: Job,
  results: ResultsService,
  runId: string,
  directory = '.autostack/runs',
): Promise<RecordFile | undefined> {
  const local = join(job.workspace, directory, `${runId}.json`);
  if (existsSync(local)) return JSON.parse(readFileSync(local, 'utf8')) as RecordFile;
  if (!results.artifacts().some((artifact) => artifact.name === `autostack-run-${runId}`)) return undefined;
  const bytes = (await results.artifactFiles(`autostack-run-${runId}`)).get('run-record.json');
  return bytes ? (JSON.parse(bytes.toString('utf8')) as RecordFile) : undefined;
}

async function startRun(job: Job, inputs: Record<string, string> = {}): Promise<{ runId: string; journal: string }> {
  const main = await job.uses('actions/record-run', { 'github-token': '', ...inputs });
  assert.equal(main.exitCode, 0, main.stdout + main.stderr);
  return { runId: main.outputs['run-id'] ?? '', journal: main.exported.AUTOSTACK_JOURNAL ?? '' };
}

/** Process ids below `pid` (Linux /proc), deepest last. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const succeeded = (result: StepResult) => result.exitCode === 0;

describe('fault suite (shipped bundles, real services on loopback)', () => {
  let results: ResultsService;
  let github: GitHubApi;
  before(async () => {
    results = await startResultsService();
    github = await startGitHubApi({ requireToken: TOKEN, quiet: true });
  });
  after(async () => {
    await github.close();
    await results.close();
  });

  test('Messages API: 500, connection reset and an error event mid-stream', async (t) => {
    const api = await startAnthropicApi();
    t.after(() => api.close());
    const job = new Job({
      env: { ...results.env(), ANTHROPIC_API_KEY: 'sk-ant-fault-suite', ANTHROPIC_BASE_URL: api.url },
    });
    const { runId } = await startRun(job, { name: 'api faults' });
    const faults = [
      errorReply(500, 'api_error', 'Internal server error', { 'retry-after-ms': '20' }),
      resetReply(),
      streamErrorReply('overloaded_error', 'Overloaded'),
    ];
    let delivered = 0;
    for (const [index, fault] of faults.entries()) {
      api.enqueue(fault, textReply(`answer ${index}`));
      const step = await job.uses('actions/run-prompt', { prompt: `Question ${index}`, cache: 'false' });
      if (succeeded(step) && step.outputs.text === `answer ${index}`) delivered += 1;
    }
    await job.complete();
    const record = await keptRecord(job, results, runId);
    // Each answer is journaled once: a retried call must not count (or bill) twice.
    const calls = record?.totals.modelCalls ?? 0;
    count(t, {
      faults: faults.length,
      runs: 1,
      lost: faults.length - delivered + (record ? 0 : 1),
      duplicated: Math.max(0, calls - faults.length),
    });
    assert.equal(calls, faults.length);
  });

  test('Redis killed (SIGKILL) and restarted mid-batch', async (t) => {
    const redis = await startRedis({ aof: true });
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    t.after(async () => {
      client.disconnect();
      await redis.stop();
    });
    const total = 15_000;
    const job = new Job();
    const file = join(job.workspace, 'events.jsonl');
    writeFileSync(
      file,
      Array.from({ length: total }, (_, i) =>
        JSON.stringify({ type: 'com.example.tick', data: { i }, 'idempotency-key': `tick-${i}` }),
      ).join('\n'),
    );
    const args = ['emit', '--batch', file, '--redis-url', redis.url, '--stream', 'faults:events'];
    const running = job.startCli([...args, '--timeout-seconds', '5']);
    await waitFor(
      async () => (await client.xlen('faults:events')) >= 500 || running.child.exitCode !== null,
      'entries',
    );
    assert.equal(running.child.exitCode, null, 'the batch was still running when Redis was killed');
    await redis.kill();
    await sleep(300);
    await redis.restart();
    const first = await running.done;
    // The re-run of the same batch (a re-run job) must add nothing.
    const again = await job.cli(args);
    const entries = await client.xrange('faults:events', '-', '+');
    const keys = new Set(entries.map(([, fields]) => fields[7]));
    count(t, { faults: 1, runs: 2, lost: total - keys.size, duplicated: entries.length - keys.size });
    assert.equal(first.exitCode, 0, first.stderr);
    assert.equal(again.exitCode, 0, again.stderr);
  });

  test('GitHub: a 502 and a reset on repository_dispatch; then GitHub down for a whole attempt', async (t) => {
    const job = new Job({ env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN }, githubToken: TOKEN });
    const route = 'POST /repos/{owner}/{repo}/dispatches';
    const ids: string[] = [];
    let lost = 0;
    github.script(route, [{ status: 502 }]);
    const flaky = await job.uses('actions/emit-event', {
      type: 'com.example.flaky',
      'dispatch-repository': 'octo-org/a',
    });
    github.script(route, [{ status: 200, reset: true }]);
    const reset = await job.uses('actions/emit-event', {
      type: 'com.example.reset',
      'dispatch-repository': 'octo-org/b',
    });
    for (const step of [flaky, reset]) {
      if (succeeded(step)) ids.push(step.outputs['event-id'] ?? '');
      else lost += 1;
    }
    // An attempt that cannot deliver keeps the event in the outbox; the re-run delivers it once.
    const down = { type: 'com.example.down', 'dispatch-repository': 'octo-org/c', attempts: '1' };
    github.script(route, [{ status: 503 }]);
    const failedAttempt = await job.uses('actions/emit-event', down);
    assert.equal(failedAttempt.exitCode, 1, 'GitHub stayed down for the whole attempt');
    const rerun = await job.uses('actions/emit-event', down);
    if (succeeded(rerun)) ids.push(rerun.outputs['event-id'] ?? '');
    else lost += 1;
    const sent = github.state.dispatches.map((d) => (d.client_payload.autostack as { id: string }).id);
    const delivered = ids.filter((id) => sent.includes(id)).length;
    const duplicated = ids.reduce((sum, id) => sum + Math.max(0, sent.filter((s) => s === id).length - 1), 0);
    count(t, { faults: 3, runs: 4, lost: lost + (ids.length - delivered), duplicated });
  });

  test('signals: a step stopped with SIGTERM, another with SIGKILL', async (t) => {
    let lost = 0;
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const job = new Job({ env: results.env() });
      const { runId, journal } = await startRun(job, { name: `signal ${signal}` });
      const running = job.startCli(['step', '--name', 'deploy', '--', 'sleep', '30']);
      await waitFor(() => readFileSync(journal, 'utf8').includes('step.started'), 'the step to start');
      // SIGKILL gives the CLI no chance to stop its command: kill the tree as the runner does.
      const tree = signal === 'SIGKILL' ? descendants(running.child.pid ?? 0) : [];
      running.child.kill(signal);
      for (const pid of tree) process.kill(pid, 'SIGKILL');
      await running.done;
      await job.complete();
      const record = await keptRecord(job, results, runId);
      if (record?.status !== 'cancelled') lost += 1;
    }
    count(t, { faults: 2, runs: 2, lost, duplicated: 0 });
  });

  test('an unwritable record directory at post time', async (t) => {
    const job = new Job({ env: results.env() });
    const { runId } = await startRun(job, { name: 'read-only', directory: 'records' });
    const directory = join(job.workspace, 'records');
    // chmod does not stop root: there, a regular file where the directory was does (ENOTDIR).
    if (process.getuid?.() === 0) {
      rmSync(directory, { recursive: true, force: true });
      writeFileSync(directory, 'not a directory');
    } else chmodSync(directory, 0o555);
    t.after(() => existsSync(directory) && chmodSync(directory, 0o755));
    const [post] = await job.complete();
    const record = await keptRecord(job, results, runId, 'records');
    count(t, { faults: 1, runs: 1, lost: record?.runId === runId ? 0 : 1, duplicated: 0 });
    assert.equal(post?.exitCode, 0, post?.stdout);
  });

  test('a full disk at post time (file size limit: writes fail with EFBIG)', async (t) => {
    if (!existsSync('/usr/bin/prlimit') && !existsSync('/bin/prlimit')) {
      t.skip('prlimit (util-linux) is not installed');
      return;
    }
    // The post step's node runs under `prlimit --fsize`, as if the disk filled up after the main
    // step. The wrapper is node, not sh: a shell drops the runner's STATE_run-id variables.
    const wrapper = join(tempDir('autostack-faults-'), 'node');
    writeFileSync(
      wrapper,
      [
        `#!${process.execPath}`,
        "const { spawnSync } = require('node:child_process');",
        'const size = process.env.FAULT_FSIZE;',
        `const command = size ? ['prlimit', '--fsize=' + size, '--', ${JSON.stringify(process.execPath)}] : [${JSON.stringify(process.execPath)}];`,
        "const result = spawnSync(command[0], [...command.slice(1), ...process.argv.slice(2)], { stdio: 'inherit' });",
        'process.exit(result.status ?? 1);',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const job = new Job({ env: results.env(), nodePath: wrapper });
    const { runId } = await startRun(job, { name: 'full disk' });
    job.env.FAULT_FSIZE = '512';
    const [post] = await job.complete();
    // Every file is capped, the artifact's staged copy too: the job summary is the copy that is
    // left (record-run's last resort), so it counts, and the run is lost only when that is gone.
    const record = await keptRecord(job, results, runId);
    const inSummary = job.summaries.some((summary) => summary.includes(runId));
    t.diagnostic(
      `full disk: kept in ${record ? 'the records directory or the artifact' : inSummary ? 'the job summary only' : 'nothing'}`,
    );
    count(t, { faults: 1, runs: 1, lost: record?.runId === runId || inSummary ? 0 : 1, duplicated: 0 });
    assert.match(post?.stdout ?? '', /could not write the run record.*EFBIG/);
    assert.equal(post?.exitCode, 0, post?.stdout);
  });

  test('summary: 0 lost, 0 duplicated', (t) => {
    const sum = (key: 'faults' | 'runs' | 'lost' | 'duplicated') => tallies.reduce((total, one) => total + one[key], 0);
    const line = `faults injected: ${sum('faults')}, runs: ${sum('runs')}, lost: ${sum('lost')}, duplicated: ${sum('duplicated')}`;
    t.diagnostic(`report: ${line}`);
    for (const one of tallies.filter((entry) => entry.lost > 0 || entry.duplicated > 0))
      t.diagnostic(`report:   ${one.scenario}: lost ${one.lost}, duplicated ${one.duplicated}`);
    assert.ok(tallies.length >= SCENARIOS - 1, `only ${tallies.length} of ${SCENARIOS} scenarios ran`);
    assert.equal(sum('lost'), 0, line);
    assert.equal(sum('duplicated'), 0, line);
  });
});
