// Every example workflow, run end to end through the shipped CLI bundle (autostack workflow run)
// on the bundled sample event, with replayed model answers: no key, no network, no GitHub.
// Covers the dispatch chain (issue triage → repository_dispatch → follow-up), the reusable
// workflow call, the scheduled relay against a real redis-server, the promotion flow, and the demo.
import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { CLI_BUNDLE, REPO_ROOT } from '../harness/job.js';
import { type LocalRun, runLocalWorkflow } from '../harness/workflow-run.js';
import { type RedisServer, startRedis } from '../fakes/redis.js';

type Cli = LocalRun;

/** A fresh workspace: a copy of the examples and .github/workflows, dist/ linked for `node dist/cli/index.js`. */
function exampleWorkspace(): string {
  const root = tempDir('autostack-examples-');
  cpSync(join(REPO_ROOT, 'workflows-examples'), join(root, 'workflows-examples'), { recursive: true });
  cpSync(join(REPO_ROOT, '.github'), join(root, '.github'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'dist'), join(root, 'dist'));
  return root;
}

function run(args: string[], options: { root?: string; env?: Record<string, string> } = {}): Promise<Cli> {
  return runLocalWorkflow(args, { root: options.root ?? exampleWorkspace(), env: options.env });
}

const TRIAGE = [
  'workflows-examples/issue-triage.yml',
  '--event',
  'issues',
  '--payload',
  join(REPO_ROOT, 'workflows-examples/events/issue-opened.json'),
  '--env',
  'AUTOSTACK_PROVIDER=replay',
];

function readRecord(path: string): {
  name: string;
  status: string;
  statusSource: string;
  trigger?: { parentRunId?: string; event?: string };
  totals: { modelCalls: number; toolCalls: number };
  steps: Array<{ action: string; status: string }>;
} {
  return JSON.parse(readFileSync(path, 'utf8'));
}

test('issue triage: classify with schema, label through the GitHub tool, emit, and the dispatch starts the follow-up workflow', async () => {
  const root = exampleWorkspace();
  const { code, stdout, stderr, result } = await run(
    TRIAGE.map((arg) => (arg.startsWith('workflows-examples/issue') ? join(root, arg) : arg)),
    { root },
  );
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.equal(result.conclusion, 'success');
  assert.deepEqual(
    result.runs.map((entry) => [entry.file, entry.conclusion]),
    [
      ['workflows-examples/issue-triage.yml', 'success'],
      ['workflows-examples/triage-follow-up.yml', 'success'],
    ],
  );

  const classify = result.runs[0]?.jobs.find((job) => job.id === 'classify');
  const verdict = JSON.parse(classify?.outputs.verdict ?? '{}') as {
    category: string;
    priority: string;
    labels: string[];
  };
  assert.equal(verdict.category, 'bug');
  assert.equal(verdict.priority, 'high');
  assert.equal(classify?.outputs.category, 'bug');
  const prompt = classify?.steps.find((step) => step.id === 'classify');
  assert.equal(prompt?.outputs['tool-calls'], '1');
  assert.equal(prompt?.outputs['prompt-version'], '1.0.0');

  // The model's github_add_labels call reached the runner's loopback GitHub API.
  const labels = result.github.find(
    (entry) => entry.method === 'POST' && entry.path === '/repos/octo-org/octo-repo/issues/42/labels',
  );
  assert.equal(labels?.status, 200);
  assert.match(labels?.summary ?? '', /bug, priority:high/);

  // emit-event's repository_dispatch started the follow-up, with the CloudEvent as client_payload.
  assert.deepEqual(
    result.dispatches.map((entry) => [entry.kind, entry.eventType, entry.started]),
    [['repository_dispatch', 'issue.triaged', ['workflows-examples/triage-follow-up.yml']]],
  );
  const followUp = result.runs[1];
  assert.match(followUp?.triggeredBy ?? '', /repository_dispatch 'issue.triaged' from Issue triage \/ announce/);
  assert.equal(followUp?.jobs[0]?.outputs.priority, 'high');
  assert.equal(followUp?.jobs[0]?.steps.find((step) => step.name === 'Page the on-call engineer')?.outcome, 'success');
  assert.match(
    stdout,
    /↪ repository_dispatch 'issue\.triaged' \(from Issue triage \/ announce\) starts workflows-examples\/triage-follow-up\.yml/,
  );

  // One run record per job, written locally; the follow-up's record names the parent run.
  assert.deepEqual(
    result.records.map((record) => [record.name, record.status]),
    [
      ['issue-triage', 'success'],
      ['issue-triage-announce', 'success'],
      ['triage-follow-up', 'success'],
    ],
  );
  const [triageRecord, announceRecord, followUpRecord] = result.records.map((record) => readRecord(record.path));
  assert.equal(triageRecord?.statusSource, 'github-api');
  assert.equal(triageRecord?.totals.modelCalls, 2);
  assert.equal(triageRecord?.totals.toolCalls, 1);
  assert.equal(followUpRecord?.trigger?.parentRunId, result.records[1]?.runId);
  assert.ok(announceRecord);
  assert.match(stdout, /Run records\n/);

  // The event went to the JSON Lines file as well (no Redis configured).
  const events = readFileSync(join(root, '.autostack/events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; subject: string });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.type, 'issue.triaged');
  assert.equal(events[0]?.subject, 'issues/42');
});

test('reusable workflow: the caller passes with/secrets to .github/workflows/ai-step.yml and reads its outputs', async () => {
  const root = exampleWorkspace();
  const { code, stdout, result } = await run(
    [
      join(root, 'workflows-examples/reusable-caller.yml'),
      '--event',
      'issues',
      '--payload',
      join(REPO_ROOT, 'workflows-examples/events/issue-opened.json'),
      '--env',
      'AUTOSTACK_PROVIDER=replay',
      '--secret',
      'ANTHROPIC_API_KEY=sk-ant-unused-sentinel-31337',
    ],
    { root },
  );
  assert.equal(code, 0, stdout);
  const summarize = result.runs[0]?.jobs.find((job) => job.id === 'summarize');
  assert.equal(summarize?.result, 'success');
  assert.equal(summarize?.called?.file, '.github/workflows/ai-step.yml');
  const reply = JSON.parse(summarize?.outputs.json ?? '{}') as { summary: string; audience: string };
  assert.equal(reply.audience, 'maintainers');
  assert.equal(summarize?.outputs['prompt-version'], '1.0.0');
  assert.match(summarize?.outputs['run-id'] ?? '', /^\d{8}T\d{6}Z-[0-9a-f]{12}$/);
  assert.match(stdout, /digest entry: An empty config\.yml crashes the app/);
  assert.equal(result.records[0]?.name, 'issue-digest');
  assert.equal(result.records[0]?.job, 'summarize / run');
  assert.ok(!stdout.includes('sk-ant-unused-sentinel-31337'));
  assert.ok(!readFileSync(result.records[0]?.path ?? '', 'utf8').includes('sk-ant-unused-sentinel-31337'));
});

test('promotion flow: the eval gate replays the testData and promotes locally', async () => {
  const root = exampleWorkspace();
  const { code, stdout, result } = await run(
    [
      join(root, 'workflows-examples/promote-prompt.yml'),
      '--event',
      'workflow_dispatch',
      '--input',
      'mode=local',
      '--env',
      'AUTOSTACK_PROVIDER=replay',
    ],
    { root },
  );
  assert.equal(code, 0, stdout);
  const promote = result.runs[0]?.jobs[0];
  assert.equal(promote?.outputs.promoted, 'true');
  assert.equal(promote?.outputs.version, '1.0.0');
  assert.equal(promote?.steps.find((step) => step.id === 'promote')?.outputs['pass-rate'], '1');
  assert.ok(
    existsSync(join(root, '.autostack/prompts.lock.yml')) || existsSync(join(root, 'prompts.lock.yml')),
    'the lock file is written in the workspace',
  );
});

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('scheduled relay: an event published to Redis is relayed as repository_dispatch and starts the follow-up', async () => {
  const root = exampleWorkspace();
  const first = await run(
    [
      join(root, 'workflows-examples/issue-triage.yml'),
      ...TRIAGE.slice(1),
      '--secret',
      `REDIS_URL=${redis.url}`,
      '--no-follow',
    ],
    { root },
  );
  assert.equal(first.code, 0, first.stdout);
  assert.equal(first.result.runs.length, 1, 'the dispatch was not followed');
  const client = new Redis(redis.url);
  try {
    assert.equal(await client.xlen('autostack:events'), 1);
  } finally {
    client.disconnect();
  }
  const relay = await run(
    [join(root, 'workflows-examples/scheduled-relay.yml'), '--event', 'schedule', '--secret', `REDIS_URL=${redis.url}`],
    { root },
  );
  assert.equal(relay.code, 0, `${relay.stdout}\n${relay.stderr}`);
  assert.deepEqual(
    relay.result.runs.map((entry) => entry.file),
    ['workflows-examples/scheduled-relay.yml', 'workflows-examples/triage-follow-up.yml'],
  );
  assert.equal(relay.result.runs[1]?.jobs[0]?.outputs.priority, 'high');
  assert.match(relay.result.runs[1]?.triggeredBy ?? '', /from Events relay \/ relay/);
});

test('npm run demo: the triage example on embedded defaults, with the follow-up and the run records', async (t) => {
  const workspace = tempDir('autostack-demo-test-');
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  const child = spawn(process.execPath, [CLI_BUNDLE, 'demo', '--quiet', '--workspace', workspace], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? REPO_ROOT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stdout);
  assert.match(stdout, /✓ Classify and label the issue/);
  assert.match(stdout, /starts workflows-examples\/triage-follow-up\.yml/);
  assert.match(stdout, /success +Triage follow-up/);
  const records = [
    ...stdout.matchAll(/^ {2}success +(\d{8}T\d{6}Z-[0-9a-f]{12}) +(\S+) .*?(\.autostack\/runs\/\S+\.json)$/gm),
  ];
  assert.deepEqual(
    records.map((match) => match[2]),
    ['issue-triage', 'issue-triage-announce', 'triage-follow-up'],
  );
  for (const match of records)
    assert.ok(existsSync(join(workspace, match[3] ?? '')), 'records are written in the demo workspace');
  assert.match(stdout, /Result: success/);
});

test('--record-prompts records the answers a workflow gets (through the Messages API fake), and replay then serves them', async () => {
  const { startAnthropicApi, textReply } = await import('../fakes/anthropic-api.js');
  const api = await startAnthropicApi();
  try {
    const root = exampleWorkspace();
    const recordings = join(root, 'workflows-examples/prompts/summarize.recordings.json');
    rmSync(recordings);
    api.enqueue(
      textReply(JSON.stringify({ summary: 'Recorded just now.', audience: 'everyone' }), {
        usage: { input_tokens: 10, output_tokens: 5 },
      }),
    );
    const payload = join(REPO_ROOT, 'workflows-examples/events/issue-opened.json');
    const recorded = await run(
      [
        join(root, 'workflows-examples/reusable-caller.yml'),
        '--event',
        'issues',
        '--payload',
        payload,
        '--record-prompts',
        '--env',
        `ANTHROPIC_BASE_URL=${api.url}`,
        '--secret',
        'ANTHROPIC_API_KEY=sk-ant-record-sentinel-5150',
      ],
      { root },
    );
    assert.equal(recorded.code, 0, recorded.stdout);
    assert.equal(api.requests.length, 1);
    assert.ok(!recorded.stdout.includes('sk-ant-record-sentinel-5150'));
    const file = JSON.parse(readFileSync(recordings, 'utf8')) as {
      format: string;
      recordings: Record<string, unknown>;
    };
    assert.equal(file.format, 'autostack.recordings/v1');
    assert.equal(Object.keys(file.recordings).length, 1);
    const replayed = await run(
      [
        join(root, 'workflows-examples/reusable-caller.yml'),
        '--event',
        'issues',
        '--payload',
        payload,
        '--env',
        'AUTOSTACK_PROVIDER=replay',
      ],
      { root },
    );
    assert.equal(replayed.code, 0, replayed.stdout);
    assert.equal(JSON.parse(replayed.result.runs[0]?.jobs[0]?.outputs.json ?? '{}').summary, 'Recorded just now.');
    assert.equal(api.requests.length, 1, 'replay makes no API request');
  } finally {
    await api.close();
  }
});
