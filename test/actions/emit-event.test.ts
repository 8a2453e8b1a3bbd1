import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { createEvent } from '../../src/events/envelope.js';
import { startGitHubApi, type GitHubApi } from '../fakes/github-api.js';
import { type RedisServer, startRedis, startRedisCluster } from '../fakes/redis.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';
import { Job, visibleLog } from '../harness/job.js';
import { forSuite } from '../harness/fixtures.js';

const ACTION = 'actions/emit-event';
const TOKEN = 'ghs_emitEventTestToken123';
const REDIS_PASSWORD = 'red1s-Secret-pw-9a7';

function recordOf(job: Job, runId: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

describe('emit-event through its bundle', () => {
  let redis: RedisServer;
  let github: GitHubApi;
  let results: ResultsService;
  let client: Redis;
  before(async () => {
    redis = await startRedis({
      aof: true,
      password: 'default-pw-unused',
      aclUser: { name: 'emitter', password: REDIS_PASSWORD },
    });
    github = await startGitHubApi({ requireToken: TOKEN, quiet: true });
    results = await startResultsService();
    client = new Redis(redis.url);
  });
  after(async () => {
    await client.quit();
    await github.close();
    await results.close();
    await redis.stop();
  });

  const jobEnv = () => ({ GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN });

  test('publishes to real Redis and dispatches to the GitHub API; the re-run reports duplicate and adds nothing', async () => {
    const stream = 'mustshow:events';
    const inputs = {
      type: 'com.example.issue.triaged',
      data: 'label: bug\nscore: 0.93\n',
      subject: 'issues/12',
      'redis-url': redis.url,
      stream,
      'dispatch-repository': 'octo-org/downstream',
    };
    const first = new Job({ env: jobEnv(), githubToken: TOKEN });
    const start = await first.uses('actions/record-run', {
      name: 'emitter',
      artifact: 'false',
      summary: 'false',
      'github-token': '',
    });
    assert.equal(start.exitCode, 0, start.stdout + start.stderr);
    const runId = start.outputs['run-id'] ?? '';
    const emitted = await first.uses(ACTION, inputs);
    assert.equal(emitted.exitCode, 0, emitted.stdout + emitted.stderr);
    assert.equal(emitted.outputs.duplicate, 'false');
    assert.equal(emitted.outputs.dispatched, 'true');
    assert.match(emitted.outputs['stream-entry-id'] ?? '', /^\d+-\d+$/);
    const eventId = emitted.outputs['event-id'] ?? '';
    assert.match(eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);

    // Redis: one entry in the documented layout, carrying the envelope.
    const entries = await client.xrange(stream, '-', '+');
    assert.equal(entries.length, 1);
    const fields = entries[0]?.[1] ?? [];
    const envelope = JSON.parse(fields[1] ?? '{}') as Record<string, unknown>;
    assert.deepEqual(
      {
        id: envelope.id,
        type: envelope.type,
        data: envelope.data,
        subject: envelope.subject,
        hop: envelope.autostackhop,
        run: envelope.autostackrunid,
        source: envelope.source,
      },
      {
        id: eventId,
        type: inputs.type,
        data: { label: 'bug', score: 0.93 },
        subject: 'issues/12',
        hop: 0,
        run: runId,
        source: 'https://github.com/octo-org/octo-repo',
      },
    );
    // GitHub: one repository_dispatch with the whole envelope under client_payload.autostack.
    assert.equal(github.state.dispatches.length, 1);
    const dispatch = github.state.dispatches[0];
    assert.equal(dispatch?.event_type, inputs.type);
    assert.equal(dispatch?.repo, 'octo-org/downstream');
    assert.deepEqual(dispatch?.client_payload, { autostack: envelope });
    assert.equal(dispatch?.headers.authorization, `token ${TOKEN}`);

    // The same step again in the same job.
    const again = await first.uses(ACTION, inputs);
    assert.equal(again.exitCode, 0, again.stdout + again.stderr);
    assert.equal(again.outputs.duplicate, 'true');
    assert.equal(again.outputs['event-id'], eventId);
    assert.equal(again.outputs['stream-entry-id'], emitted.outputs['stream-entry-id']);

    // A re-run attempt: a fresh runner (empty workspace), same workflow run id, attempt 2.
    const rerun = new Job({ env: { ...jobEnv(), GITHUB_RUN_ATTEMPT: '2' }, githubToken: TOKEN });
    const rerunResult = await rerun.uses(ACTION, inputs);
    assert.equal(rerunResult.exitCode, 0, rerunResult.stdout + rerunResult.stderr);
    assert.equal(rerunResult.outputs.duplicate, 'true');
    assert.equal(rerunResult.outputs.dispatched, 'true');
    assert.equal(rerunResult.outputs['event-id'], eventId);
    assert.deepEqual(
      JSON.parse(rerunResult.outputs.event ?? '{}'),
      envelope,
      'the duplicate reports the stored envelope',
    );
    assert.equal(await client.xlen(stream), 1, 'nothing added to the stream');
    assert.equal(github.state.dispatches.length, 1, 'nothing dispatched again');

    // The journal and the record: every publish and dispatch is a system touched; no secrets anywhere.
    const [post] = await first.complete();
    assert.equal(post?.exitCode, 0, (post?.stdout ?? '') + (post?.stderr ?? ''));
    const record = recordOf(first, runId);
    assert.deepEqual(
      (record.systemsTouched as Array<Record<string, unknown>>).map((s) => [s.system, s.target, s.count, s.duplicates]),
      [
        ['redis', stream, 2, 1],
        ['github', 'repository_dispatch octo-org/downstream', 2, 1],
      ],
    );
    assert.equal((record.totals as { eventsPublished: number }).eventsPublished, 2);
    for (const text of [
      visibleLog(emitted),
      visibleLog(again),
      visibleLog(rerunResult),
      JSON.stringify(emitted.outputs),
      JSON.stringify(record),
    ]) {
      assert.ok(!text.includes(REDIS_PASSWORD), 'redis password leaked');
      assert.ok(!text.includes(TOKEN), 'token leaked');
    }
    assert.ok(emitted.stdout.includes(`::add-mask::${REDIS_PASSWORD}`), 'the password is masked on the runner');
  });

  test('workflow_dispatch returns the child run; the re-run reports it again without dispatching', async () => {
    github.addWorkflow({ file: 'deploy.yml', inputs: ['environment'] }, 'octo-org/octo-repo');
    const inputs = {
      type: 'com.example.deploy',
      'redis-url': redis.url,
      stream: 'wf:events',
      'dispatch-workflow': 'deploy.yml',
      'dispatch-inputs': 'environment: staging',
    };
    const job = new Job({ env: jobEnv(), githubToken: TOKEN });
    const first = await job.uses(ACTION, inputs);
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    const record = github.state.workflowDispatches.at(-1);
    assert.equal(record?.return_run_details, true);
    assert.deepEqual(record?.inputs, { environment: 'staging' });
    assert.equal(first.outputs['workflow-run-id'], String(record?.run_id));
    assert.match(first.outputs['workflow-run-url'] ?? '', new RegExp(`/actions/runs/${record?.run_id}$`));
    const count = github.state.workflowDispatches.length;
    const again = await new Job({ env: { ...jobEnv(), GITHUB_RUN_ATTEMPT: '2' }, githubToken: TOKEN }).uses(
      ACTION,
      inputs,
    );
    assert.equal(again.exitCode, 0, again.stdout + again.stderr);
    assert.equal(again.outputs.duplicate, 'true');
    assert.equal(again.outputs['workflow-run-id'], first.outputs['workflow-run-id']);
    assert.equal(github.state.workflowDispatches.length, count);
  });

  test('an event too large for client_payload: too-large fail sends nothing anywhere; reference dispatches a pointer to the stream entry', async () => {
    const big = `blob: ${'x'.repeat(70_000)}\n`;
    const inputs = {
      type: 'com.example.big',
      data: big,
      'redis-url': redis.url,
      stream: 'big:events',
      'dispatch-repository': 'octo-org/big',
    };
    const job = new Job({ env: jobEnv(), githubToken: TOKEN });
    const before = github.state.dispatches.length;
    const refused = await job.uses(ACTION, inputs);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.errors.join('\n'), /bytes as client_payload; GitHub accepts under 65536/);
    assert.equal(await client.xlen('big:events'), 0, 'nothing published before the limit check');
    assert.equal(github.state.dispatches.length, before);

    const referenced = await job.uses(ACTION, { ...inputs, 'too-large': 'reference' });
    assert.equal(referenced.exitCode, 0, referenced.stdout + referenced.stderr);
    const sent = github.state.dispatches.at(-1)?.client_payload.autostack as { id: string; data: unknown };
    assert.equal(sent.id, referenced.outputs['event-id']);
    assert.deepEqual(sent.data, {
      autostackref: { stream: 'big:events', entry: referenced.outputs['stream-entry-id'] },
    });
    const entry = await client.xrange('big:events', '-', '+');
    assert.equal((JSON.parse(entry[0]?.[1][1] ?? '{}') as { data: { blob: string } }).data.blob.length, 70_000);
  });

  test('GitHub 5xx is retried and dispatched once; a 403 names the missing permission and keeps nothing in the outbox', async () => {
    const job = new Job({ env: jobEnv(), githubToken: TOKEN });
    github.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 502 }]);
    const before = github.state.dispatches.length;
    const retried = await job.uses(ACTION, { type: 'com.example.flaky', 'dispatch-repository': 'octo-org/flaky' });
    assert.equal(retried.exitCode, 0, retried.stdout + retried.stderr);
    assert.equal(github.state.dispatches.length, before + 1);

    github.script('POST /repos/{owner}/{repo}/dispatches', [
      { status: 403, body: { message: 'Resource not accessible by integration' } },
    ]);
    const denied = await job.uses(ACTION, { type: 'com.example.denied', 'dispatch-repository': 'octo-org/other' });
    assert.equal(denied.exitCode, 1);
    assert.match(
      denied.errors.join('\n'),
      /403.*'contents: write' on octo-org\/other.*PAT or a GitHub App token.*default branch/s,
    );
    assert.equal(
      existsSync(join(job.workspace, '.autostack', 'outbox.jsonl')),
      false,
      'a permanent failure is not queued',
    );
    assert.ok(!visibleLog(denied).includes(TOKEN));
  });

  test('Redis got it but GitHub stayed down: outbox, then the re-run dispatches once and Redis reports a duplicate', async () => {
    const job = new Job({ env: jobEnv(), githubToken: TOKEN });
    const inputs = {
      type: 'com.example.partial',
      data: 'p: 1',
      'redis-url': redis.url,
      stream: 'partial:events',
      'dispatch-repository': 'octo-org/partial',
      attempts: '1',
    };
    github.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 503 }]);
    const before = github.state.dispatches.length;
    const failed = await job.uses(ACTION, inputs);
    assert.equal(failed.exitCode, 1);
    assert.match(failed.errors.join('\n'), /repository_dispatch: GitHub kept failing[\s\S]*kept in the outbox/);
    assert.equal(await client.xlen('partial:events'), 1);
    assert.equal(github.state.dispatches.length, before);

    const delivered = await job.uses(ACTION, inputs);
    assert.equal(delivered.exitCode, 0, delivered.stdout + delivered.stderr);
    assert.equal(delivered.outputs.duplicate, 'false', 'the dispatch was new');
    const [[, fields] = ['', []]] = await client.xrange('partial:events', '-', '+');
    assert.equal(delivered.outputs['event-id'], fields[5], 'the same event as the one Redis got in the failed attempt');
    assert.equal(await client.xlen('partial:events'), 1, 'Redis already had it');
    assert.equal(github.state.dispatches.length, before + 1);
    assert.equal(
      (github.state.dispatches.at(-1)?.client_payload.autostack as { id: string }).id,
      delivered.outputs['event-id'],
    );
  });

  test('without redis or dispatch the event goes to .autostack/events.jsonl, once', async () => {
    const job = new Job();
    const first = await job.uses(ACTION, { type: 'com.example.local', data: '{"n": 1}' });
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    const again = await job.uses(ACTION, { type: 'com.example.local', data: '{"n": 1}' });
    assert.equal(again.outputs.duplicate, 'true');
    const lines = readFileSync(join(job.workspace, '.autostack', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0] ?? '{}') as { id: string }).id, first.outputs['event-id']);
  });

  test('a dead Redis fails the step in bounded time and keeps the event in the outbox; the re-run delivers it once', async () => {
    const dead = await startRedis();
    await dead.stop();
    const job = new Job();
    const inputs = {
      type: 'com.example.outbox',
      data: 'x: 1',
      'redis-url': dead.url,
      stream: 'ob:events',
      'timeout-seconds': '8',
      attempts: '2',
    };
    const started = Date.now();
    const failed = await job.uses(ACTION, inputs);
    const elapsed = Date.now() - started;
    assert.equal(failed.exitCode, 1);
    assert.ok(elapsed < 20_000, `failed after ${elapsed} ms`);
    assert.match(failed.errors.join('\n'), /unreachable.*ECONNREFUSED[\s\S]*kept in the outbox/);
    assert.doesNotMatch(failed.stdout + failed.stderr, /\n\s+at .*\(.*\.js:\d+/, 'no stack trace');
    const outbox = readFileSync(join(job.workspace, '.autostack', 'outbox.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(outbox.length, 1);
    const kept = (JSON.parse(outbox[0] ?? '{}') as { event: { id: string; time: string } }).event;

    await dead.restart();
    const delivered = await job.uses(ACTION, inputs);
    assert.equal(delivered.exitCode, 0, delivered.stdout + delivered.stderr);
    assert.equal(delivered.outputs['event-id'], kept.id);
    assert.equal(delivered.outputs.duplicate, 'false');
    const direct = new Redis(dead.url);
    const entries = await direct.xrange('ob:events', '-', '+');
    assert.equal(entries.length, 1);
    assert.equal(
      (JSON.parse(entries[0]?.[1][1] ?? '{}') as { time: string }).time,
      kept.time,
      'the kept envelope, not a new one',
    );
    assert.equal(readFileSync(join(job.workspace, '.autostack', 'outbox.jsonl'), 'utf8'), '', 'outbox drained');
    const third = await job.uses(ACTION, inputs);
    assert.equal(third.outputs.duplicate, 'true');
    assert.equal(await direct.xlen('ob:events'), 1);
    await direct.quit();
    await dead.stop();
  });

  test('the outbox survives to a re-run attempt on a fresh runner through the Actions cache, and rides in the run record artifact', async () => {
    const dead = await startRedis();
    await dead.stop();
    const inputs = {
      type: 'com.example.cached',
      data: 'y: 2',
      'redis-url': dead.url,
      stream: 'cache:events',
      'timeout-seconds': '5',
      attempts: '1',
    };
    const first = new Job({ env: { ...results.env(), GITHUB_RUN_ID: '5151' } });
    const start = await first.uses('actions/record-run', { name: 'outbox', summary: 'false', 'github-token': '' });
    const runId = start.outputs['run-id'] ?? '';
    const failed = await first.uses(ACTION, inputs);
    assert.equal(failed.exitCode, 1);
    assert.ok(
      results.cacheEntries().some((entry) => entry.key.startsWith('autostack-outbox-')),
      'outbox saved to the cache',
    );
    await first.complete();
    const files = await results.artifactFiles(`autostack-run-${runId}`);
    assert.ok(files.has('outbox.jsonl'), `artifact files: ${[...files.keys()].join(', ')}`);
    const kept = JSON.parse(files.get('outbox.jsonl')?.toString().trim().split('\n')[0] ?? '{}') as {
      event: { id: string; time: string };
    };

    await dead.restart();
    const rerun = new Job({ env: { ...results.env(), GITHUB_RUN_ID: '5151', GITHUB_RUN_ATTEMPT: '2' } });
    const delivered = await rerun.uses(ACTION, inputs);
    assert.equal(delivered.exitCode, 0, delivered.stdout + delivered.stderr);
    assert.equal(delivered.outputs['event-id'], kept.event.id);
    assert.match(delivered.stdout, /kept in the outbox by an earlier attempt/);
    const direct = new Redis(dead.url);
    const entries = await direct.xrange('cache:events', '-', '+');
    assert.equal(entries.length, 1);
    assert.equal((JSON.parse(entries[0]?.[1][1] ?? '{}') as { time: string }).time, kept.event.time);
    await direct.quit();
    await dead.stop();
  });

  test('an event chain deeper than max-hops is refused with a clear error', async () => {
    const parent = createEvent({
      type: 'com.example.loop',
      source: 'https://github.com/octo-org/octo-repo',
      workflowRunId: '1',
      step: 's',
      runId: 'PARENT-RUN',
    });
    const job = new Job({
      eventName: 'repository_dispatch',
      eventPayload: { action: 'com.example.loop', client_payload: { autostack: { ...parent, autostackhop: 3 } } },
    });
    const refused = await job.uses(ACTION, { type: 'com.example.loop', 'max-hops': '3' });
    assert.equal(refused.exitCode, 1);
    assert.match(
      refused.errors.join('\n'),
      /hop 4 of an event chain, over the limit of 3 \(input 'max-hops'\).*PARENT-RUN/,
    );
    assert.equal(existsSync(join(job.workspace, '.autostack', 'events.jsonl')), false);
    const allowed = await job.uses(ACTION, { type: 'com.example.loop', 'max-hops': '4' });
    assert.equal(allowed.exitCode, 0, allowed.stdout + allowed.stderr);
    const event = JSON.parse(readFileSync(join(job.workspace, '.autostack', 'events.jsonl'), 'utf8').trim()) as {
      autostackhop: number;
      traceparent: string;
    };
    assert.equal(event.autostackhop, 4);
    assert.equal(event.traceparent.split('-')[1], parent.traceparent?.split('-')[1], 'same trace as the parent');
  });

  test('bad inputs: a clear one-line error naming the input, and the password is never echoed', async () => {
    const job = new Job();
    const badUrl = await job.uses(ACTION, { type: 't', 'redis-url': `redis://u:${REDIS_PASSWORD}@bad host:1` });
    assert.equal(badUrl.exitCode, 1);
    assert.match(badUrl.errors[0] ?? '', /^Input 'redis-url' is not a URL/);
    assert.ok(!visibleLog(badUrl).includes(REDIS_PASSWORD));
    const wrongPass = await job.uses(ACTION, {
      type: 't',
      'redis-url': `redis://emitter:wrong-${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
    });
    assert.equal(wrongPass.exitCode, 1);
    assert.match(wrongPass.errors.join('\n'), /refused the credentials of user 'emitter'/);
    assert.ok(!visibleLog(wrongPass).includes(REDIS_PASSWORD));
    const badHops = await job.uses(ACTION, { type: 't', 'max-hops': 'lots' });
    assert.match(badHops.errors[0] ?? '', /^Input 'max-hops' must be a whole number/);
    const badData = await job.uses(ACTION, { type: 't', data: 'a: [1,' });
    assert.match(badData.errors[0] ?? '', /^Input 'data' is not valid YAML or JSON/);
  });
});

describe('emit-event against a Redis Cluster', () => {
  const cluster = forSuite(
    () => startRedisCluster(),
    (service) => service.stop(),
  );

  test('any node URL works: the cluster is detected, the stream and its ledger share a slot, the re-run is a duplicate', async () => {
    const node = cluster().nodes[1];
    assert.ok(node);
    const inputs = {
      type: 'com.example.cluster',
      data: 'n: 1',
      'redis-url': `redis://${node.host}:${node.port}`,
      stream: 'cluster:events',
    };
    const job = new Job();
    const first = await job.uses(ACTION, inputs);
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    assert.equal(first.outputs.duplicate, 'false');
    const again = await new Job({ env: { GITHUB_RUN_ATTEMPT: '2' } }).uses(ACTION, inputs);
    assert.equal(again.exitCode, 0, again.stdout + again.stderr);
    assert.equal(again.outputs.duplicate, 'true');
    assert.equal(again.outputs['stream-entry-id'], first.outputs['stream-entry-id']);
    const client = new Cluster(cluster().nodes);
    assert.equal(await client.xlen('cluster:events'), 1);
    await client.quit();
  });
});

// Runners execute the bundle on Node 24 (.ci/run provides it as AUTOSTACK_NODE24).
const node24 = process.env.AUTOSTACK_NODE24;
test(
  'on Node 24: publishes to Redis, the re-run is a duplicate',
  {
    skip: node24
      ? false
      : (process.env.AUTOSTACK_NODE24_SKIP ?? 'AUTOSTACK_NODE24 is not set (npm test and .ci/run set it)'),
  },
  async () => {
    const server = await startRedis({ password: 'node24-default-pw' });
    try {
      const inputs = { type: 'com.example.node24', data: 'v: 24', 'redis-url': server.url, stream: 'n24:events' };
      const first = await new Job({ nodePath: node24 }).uses(ACTION, inputs);
      assert.equal(first.exitCode, 0, first.stdout + first.stderr);
      assert.equal(first.outputs.duplicate, 'false');
      const again = await new Job({ nodePath: node24, env: { GITHUB_RUN_ATTEMPT: '2' } }).uses(ACTION, inputs);
      assert.equal(again.outputs.duplicate, 'true');
      assert.equal(again.outputs['stream-entry-id'], first.outputs['stream-entry-id']);
    } finally {
      await server.stop();
    }
  },
);
