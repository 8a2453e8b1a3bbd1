import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Cluster, Redis } from 'ioredis';
import { createGitHubClient } from '../../src/github/client.js';
import { createEvent, streamEntryFields, type CloudEvent } from '../../src/events/envelope.js';
import { Relay, type RelayOptions, defaultDeadLetterStream, dispatchedMarkerKey } from '../../src/events/relay.js';
import { parseRouting, resolveTarget } from '../../src/events/routing.js';
import { Journal } from '../../src/runs/journal.js';
import { readJournal } from '../../src/runs/journal-read.js';
import type { GitHubApi } from '../fakes/github-api.js';
import { startRedis, type StartRedisOptions } from '../fakes/redis.js';
import { useGitHubApi, useRedis, useRedisCluster, useTempDir } from '../harness/fixtures.js';
import { openRedis } from '../../src/events/redis.js';
import { CLI_BUNDLE } from '../harness/job.js';
import { recordingLog } from '../ai/helpers.js';

const STREAM = 'autostack:events';
const DEAD = defaultDeadLetterStream(STREAM);
const GROUP = 'autostack-relay';
const TOKEN = 'ghs_relayTestToken0123456789abcdef';

const ROUTES = `routes:
  - match: com.example.issue.*
    repository: octo-org/triage
  - match: com.example.deploy.requested
    repository: octo-org/app
    workflow: deploy.yml
    inputs:
      environment: "{{ data.environment }}"
`;

const DEPLOY_WORKFLOW = `on:
  workflow_dispatch:
    inputs:
      environment: {required: true}
      autostack-event: {required: false}
jobs: {}
`;

function event(type: string, key: string, data: unknown = { n: key }): CloudEvent {
  return createEvent({
    type,
    source: 'https://github.com/octo-org/octo-repo',
    data,
    workflowRunId: '777',
    step: 'emit',
    idempotencyKey: key,
  });
}

async function seed(redis: Redis | Cluster, events: CloudEvent[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ev of events) ids.push(String(await redis.xadd(STREAM, '*', ...streamEntryFields(ev))));
  return ids;
}

function tempDir(t: TestContext): string {
  return useTempDir(t, 'autostack-relay-');
}

/** The GitHub API the relay dispatches to, with the deploy workflow its routes name. */
async function githubFake(t: TestContext): Promise<GitHubApi> {
  const api = await useGitHubApi(t, { requireToken: TOKEN, quiet: true });
  api.commitFiles({ '.github/workflows/deploy.yml': DEPLOY_WORKFLOW }, { repo: 'octo-org/app' });
  return api;
}

/** The relay's trio: a real Redis (and a client of it), the GitHub API, a temp folder — all cleaned up. */
async function relayServices(t: TestContext, redisOptions: StartRedisOptions = {}) {
  const { server, redis } = await useRedis(t, redisOptions);
  const api = await githubFake(t);
  return { server, redis, api, dir: tempDir(t) };
}

function relayFor(redis: Redis | Cluster, api: GitHubApi, overrides: Partial<RelayOptions> = {}): Relay {
  const log = recordingLog();
  const github = createGitHubClient({ token: TOKEN, baseUrl: api.url, log, retries: 0 });
  return new Relay({
    client: redis,
    stream: STREAM,
    group: GROUP,
    consumer: 'test-relay',
    routing: parseRouting(ROUTES, 'relay.yml'),
    github: () => github,
    deadLetterStream: DEAD,
    maxAttempts: 3,
    minIdleMs: 0,
    batchSize: 10,
    mode: 'once',
    markerTtlSeconds: 3600,
    log,
    ...overrides,
  });
}

function dispatchedKeys(api: GitHubApi): string[] {
  const fromRepo = api.state.dispatches.map((d) =>
    String((d.client_payload['autostack'] as CloudEvent).idempotencykey),
  );
  const fromWorkflow = api.state.workflowDispatches.map((d) =>
    String((JSON.parse(String(d.inputs['autostack-event'])) as CloudEvent).idempotencykey),
  );
  return [...fromRepo, ...fromWorkflow].sort();
}

async function pendingCount(redis: Redis | Cluster): Promise<number> {
  const summary = (await redis.xpending(STREAM, GROUP)) as [number, ...unknown[]];
  return Number(summary[0]);
}

/** Dead-letter entries as field maps. */
async function deadLetters(redis: Redis | Cluster): Promise<Array<Record<string, string>>> {
  const entries = (await redis.xrange(DEAD, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([, fields]) => {
    const map: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i] as string] = fields[i + 1] as string;
    return map;
  });
}

test('routes each event to its dispatch, acks after success, journals every system touched', async (t) => {
  const { redis, api, dir } = await relayServices(t);
  const journal = new Journal(join(dir, 'journal.jsonl'), '20261125T100000Z-000000000001');

  const events = [
    event('com.example.issue.opened', 'k-1'),
    event('com.example.deploy.requested', 'k-2', { environment: 'staging' }),
    event('com.example.unknown', 'k-3'),
  ];
  const ids = await seed(redis, events);
  const relay = relayFor(redis, api, { journal });
  const summary = await relay.run();

  assert.equal(summary.dispatched, 2);
  assert.equal(summary.deadLettered, 1, 'no route: dead-lettered at once');
  assert.equal(summary.acked, 2);
  assert.equal(await pendingCount(redis), 0);
  assert.equal(api.state.dispatches[0]?.repo, 'octo-org/triage');
  assert.equal(api.state.dispatches[0]?.event_type, 'com.example.issue.opened');
  assert.deepEqual(api.state.dispatches[0]?.client_payload['autostack'], JSON.parse(JSON.stringify(events[0])));
  const wf = api.state.workflowDispatches[0];
  assert.equal(wf?.inputs['environment'], 'staging');
  assert.equal(wf?.return_run_details, true);
  assert.equal(summary.runs[0]?.runId, wf?.run_id);
  assert.equal(summary.runs[0]?.entry, ids[1]);

  const [dead] = await deadLetters(redis);
  assert.equal(dead?.['relay-reason'], 'unroutable');
  assert.equal(dead?.['relay-entry'], ids[2]);
  assert.equal(dead?.['idempotencykey'], 'k-3');
  assert.deepEqual(
    JSON.parse(dead?.['event'] ?? '{}'),
    JSON.parse(JSON.stringify(events[2])),
    'the original entry is kept for a replay',
  );

  const touched = (await readJournal(journal.path)).events.filter((e) => e.type === 'system.touched');
  assert.deepEqual(
    touched.map((e) => (e.type === 'system.touched' ? [e.system, e.target, e.operation, e.id, e.duplicate] : [])),
    [
      ['github', 'octo-org/triage repository_dispatch', 'repository_dispatch', events[0]?.id, false],
      ['github', 'octo-org/app workflow deploy.yml', 'workflow_dispatch', events[1]?.id, false],
      ['redis', DEAD, 'dead-letter', events[2]?.id, undefined],
    ],
  );
  assert.deepEqual(await redis.xinfo('CONSUMERS', STREAM, GROUP), [], 'a relay holding nothing leaves the group');
  // A second pass finds nothing to do.
  const again = await relayFor(redis, api).run();
  assert.equal(again.read, 0);
  assert.equal(api.state.dispatches.length + api.state.workflowDispatches.length, 2);
});

test('a failed dispatch is not acknowledged; the next attempt dispatches it once and acks', async (t) => {
  const { redis, api } = await relayServices(t);
  const [ev] = [event('com.example.issue.closed', 'retry-1')];
  await seed(redis, [ev as CloudEvent]);
  api.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 500 }]);

  const first = await relayFor(redis, api, { minIdleMs: 60_000 }).run();
  assert.equal(first.dispatched, 0);
  assert.equal(first.retrying, 1);
  assert.equal(first.acked, 0);
  assert.equal(await pendingCount(redis), 1, 'still pending: nothing lost');
  assert.equal(api.state.dispatches.length, 0);

  const second = await relayFor(redis, api, { consumer: 'other-relay' }).run();
  assert.equal(second.dispatched, 1);
  assert.equal(await pendingCount(redis), 0);
  assert.deepEqual(dispatchedKeys(api), ['retry-1']);
  const consumers = (await redis.xinfo('CONSUMERS', STREAM, GROUP)) as unknown[][];
  assert.deepEqual(
    consumers.map((c) => c[1]),
    ['test-relay'],
    'the first relay (recently active) stays; the second, holding nothing, left',
  );
});

test('the same idempotency key in two entries is dispatched once (the marker), both are acked', async (t) => {
  const { redis, api } = await relayServices(t);
  const ev = event('com.example.issue.opened', 'same-key');
  await seed(redis, [ev, ev]);
  const summary = await relayFor(redis, api).run();
  assert.equal(summary.dispatched, 1);
  assert.equal(summary.duplicates, 1);
  assert.equal(summary.acked, 2);
  assert.deepEqual(dispatchedKeys(api), ['same-key']);
  const [route] = parseRouting(ROUTES, 'relay.yml').match(ev.type);
  assert.ok(route);
  const marker = await redis.get(dispatchedMarkerKey(STREAM, 'same-key', resolveTarget(route, ev)));
  assert.match(marker ?? '', /"event":/);
  assert.ok((await redis.ttl(dispatchedMarkerKey(STREAM, 'same-key', resolveTarget(route, ev)))) > 3000);
});

test('poison events: 422 every time goes to the dead-letter stream after N attempts; an invalid envelope at once', async (t) => {
  const { redis, api } = await relayServices(t);
  const poison = event('com.example.issue.opened', 'poison');
  const good = event('com.example.issue.opened', 'good');
  api.script(
    (req) => req.method === 'POST' && JSON.stringify(req.body).includes('"idempotencykey":"poison"'),
    Array.from({ length: 10 }, () => ({
      status: 422,
      body: { message: 'Invalid request.\n\nclient_payload is not acceptable.' },
    })),
  );
  await seed(redis, [poison, good]);
  await redis.xadd(STREAM, '*', 'event', '{not json', 'type', 'broken');
  await redis.xadd(STREAM, '*', 'type', 'no-event-field');

  const summary = await relayFor(redis, api, { maxAttempts: 3 }).run();
  assert.equal(summary.dispatched, 1);
  assert.equal(summary.deadLettered, 3);
  assert.equal(await pendingCount(redis), 0);
  const poisonPosts = api.requests.filter(
    (r) => r.method === 'POST' && JSON.stringify(r.body).includes('"idempotencykey":"poison"'),
  );
  assert.equal(poisonPosts.length, 3, 'exactly N attempts');
  assert.deepEqual(dispatchedKeys(api), ['good']);

  const dead = await deadLetters(redis);
  const byReason = Object.fromEntries(dead.map((d) => [d['relay-reason'], d]));
  assert.deepEqual(Object.keys(byReason).sort(), ['dispatch-failed', 'invalid-envelope']);
  assert.equal(dead.filter((d) => d['relay-reason'] === 'invalid-envelope').length, 2);
  const failed = byReason['dispatch-failed'];
  assert.equal(failed?.['relay-deliveries'], '3');
  assert.match(
    failed?.['relay-error'] ?? '',
    /GitHub rejected the repository_dispatch to octo-org\/triage \(422\): Invalid request\. client_payload is not acceptable\./,
  );
  assert.equal(failed?.['idempotencykey'], 'poison');
  assert.doesNotMatch(JSON.stringify(dead), new RegExp(TOKEN));
});

test('fan-out: a target that failed is retried alone; the ones already dispatched are not sent again', async (t) => {
  const { redis, api } = await relayServices(t);
  const routing = parseRouting(
    `routes:
  - match: com.example.**
    repository: octo-org/audit
  - match: com.example.issue.*
    repository: octo-org/triage
unrouted: skip
`,
    'fanout.yml',
  );
  await seed(redis, [event('com.example.issue.opened', 'fan-1'), event('other.thing', 'fan-2')]);
  api.script('POST /repos/octo-org/triage/dispatches', [{ status: 422, body: { message: 'Invalid request.' } }]);

  const first = await relayFor(redis, api, { routing, minIdleMs: 60_000 }).run();
  assert.deepEqual(
    [first.dispatched, first.retrying, first.unrouted, first.acked],
    [1, 1, 1, 1],
    'audit done, triage failed; the unrouted event is acked (skip)',
  );
  assert.equal(await pendingCount(redis), 1);

  const second = await relayFor(redis, api, { routing }).run();
  assert.deepEqual([second.dispatched, second.duplicates, second.acked], [1, 1, 1]);
  assert.deepEqual(
    api.state.dispatches.map((d) => d.repo).sort(),
    ['octo-org/audit', 'octo-org/triage'],
    'one dispatch per target',
  );
  assert.equal(await pendingCount(redis), 0);
});

test('an event too large for client_payload is relayed as a reference to its stream entry', async (t) => {
  const { redis, api } = await relayServices(t);
  const big = event('com.example.issue.opened', 'big-1', { text: 'x'.repeat(70_000) });
  const [entryId] = await seed(redis, [big]);
  const summary = await relayFor(redis, api).run();
  assert.equal(summary.dispatched, 1);
  const sent = api.state.dispatches[0]?.client_payload['autostack'] as CloudEvent;
  assert.equal(sent.id, big.id);
  assert.deepEqual(sent.data, { autostackref: { stream: STREAM, entry: entryId } });
  // The reference resolves: the full event is still in the stream.
  const [[, fields] = ['', []]] = (await redis.xrange(STREAM, entryId ?? '', entryId ?? '')) as Array<
    [string, string[]]
  >;
  assert.deepEqual(JSON.parse(fields[1] ?? '{}').data, big.data);
});

test('an entry delivered more than max-attempts times without a verdict (a relay crashing on it) is dead-lettered unseen', async (t) => {
  const { redis, api } = await relayServices(t);
  await redis.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
  await seed(redis, [event('com.example.issue.opened', 'crashy')]);
  // Four deliveries to relays that "died" without acking.
  await redis.xreadgroup('GROUP', GROUP, 'dead-relay', 'COUNT', 10, 'STREAMS', STREAM, '>');
  for (let i = 0; i < 3; i += 1)
    await redis.xreadgroup('GROUP', GROUP, 'dead-relay', 'COUNT', 10, 'STREAMS', STREAM, '0');
  const summary = await relayFor(redis, api, { maxAttempts: 3 }).run();
  assert.deepEqual([summary.dispatched, summary.deadLettered], [0, 1]);
  assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'not dispatched');
  const [dead] = await deadLetters(redis);
  assert.equal(dead?.['relay-reason'], 'too-many-deliveries');
  assert.equal(dead?.['relay-deliveries'], '5');
});

// ---------------------------------------------------------------------------------------------
// Through the shipped CLI bundle
// ---------------------------------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[], env: Record<string, string>): Proc {
  assert.ok(existsSync(CLI_BUNDLE), `${CLI_BUNDLE} is missing: run node scripts/build.mjs cli`);
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('KILL: a relay SIGKILLed between dispatch and ack loses nothing and dispatches each event once per idempotency key', async (t) => {
  const { server, redis, api, dir } = await relayServices(t, { aof: true });
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, ROUTES);

  const events = [1, 2, 3, 4, 5].map((n) => event('com.example.issue.opened', `kill-${n}`));
  await seed(redis, events);
  // GitHub holds the third dispatch (and then fails it): the relay is killed while it waits.
  api.script(
    (req) => req.method === 'POST' && JSON.stringify(req.body).includes('"idempotencykey":"kill-3"'),
    [{ status: 503, delayMs: 3000 }],
  );

  const env = { GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN, REDIS_URL: server.url };
  const first = startCli(
    ['relay', '--routes', routes, '--mode', 'continuous', '--min-idle', '1', '--consumer', 'relay-a'],
    env,
  );
  t.after(() => first.child.kill('SIGKILL'));
  await until('the third dispatch to reach GitHub', () =>
    api.requests.some((r) => r.method === 'POST' && JSON.stringify(r.body).includes('kill-3')),
  );
  first.child.kill('SIGKILL');
  const died = await first.exit;
  assert.equal(died.signal, 'SIGKILL');

  // The crash window: two events dispatched (and marked), none acknowledged yet.
  assert.deepEqual(dispatchedKeys(api), ['kill-1', 'kill-2']);
  assert.equal(await pendingCount(redis), 5, 'nothing was acknowledged before the kill');

  // A new relay (another consumer) reclaims everything after min-idle and finishes the job.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const second = startCli(
    ['relay', '--routes', routes, '--mode', 'once', '--min-idle', '1', '--consumer', 'relay-b', '--json'],
    env,
  );
  const done = await second.exit;
  assert.equal(done.code, 0, second.stderr());
  const summary = JSON.parse(second.stdout()) as {
    dispatched: number;
    duplicates: number;
    deadLettered: number;
    acked: number;
  };
  assert.equal(summary.duplicates, 2, 'kill-1 and kill-2 were recognised by their markers');
  assert.equal(summary.dispatched, 3);
  assert.equal(summary.deadLettered, 0);
  assert.equal(summary.acked, 5);
  assert.deepEqual(
    dispatchedKeys(api),
    ['kill-1', 'kill-2', 'kill-3', 'kill-4', 'kill-5'],
    'each idempotency key dispatched exactly once',
  );
  assert.equal(await pendingCount(redis), 0, 'nothing left pending');
  assert.equal(await redis.xlen(DEAD), 0);
  assert.doesNotMatch(first.stderr() + second.stderr() + second.stdout(), new RegExp(TOKEN));
});

test('continuous mode stops on SIGTERM after the entry in flight, acks it, and prints the summary', async (t) => {
  const { server, redis, api, dir } = await relayServices(t);
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, ROUTES);
  await seed(redis, [event('com.example.issue.opened', 'term-1')]);
  // GitHub is slow to answer: SIGTERM arrives while the dispatch is in flight.
  api.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 204, delayMs: 1000 }]);

  const relay = startCli(['relay', '--routes', routes, '--mode', 'continuous', '--consumer', 'relay-t'], {
    GITHUB_API_URL: api.url,
    GITHUB_TOKEN: TOKEN,
    REDIS_URL: server.url,
  });
  t.after(() => relay.child.kill('SIGKILL'));
  await until('the dispatch to reach GitHub', () => api.requests.some((r) => r.method === 'POST'));
  relay.child.kill('SIGTERM');
  const exit = await relay.exit;
  assert.equal(exit.code, 0, relay.stderr());
  assert.match(relay.stderr(), /SIGTERM received; finishing the entry in flight/);
  assert.match(relay.stdout(), /relay: 1 entry read; dispatched 1, duplicates skipped 0, dead-lettered 0/);
  assert.equal(await pendingCount(redis), 0, 'the in-flight entry was acknowledged before exit');
});

/** Idempotency keys of every dispatch GitHub was sent (scripted answers included), sorted. */
function postedKeys(api: GitHubApi): string[] {
  return api.requests
    .filter((r) => r.method === 'POST')
    .map((r) => /"idempotencykey":"([^"]+)"/.exec(JSON.stringify(r.body))?.[1] ?? '?')
    .sort();
}

test('a stop mid-batch releases the entries read but not started: no attempt counted, the next relay takes them at once', async (t) => {
  const { redis, api } = await relayServices(t);
  await seed(
    redis,
    [1, 2, 3, 4].map((n) => event('com.example.issue.opened', `stop-${n}`)),
  );
  // The stop is requested while the first dispatch is in flight.
  let stop = false;
  api.script('POST /repos/{owner}/{repo}/dispatches', [{ status: 204, delayMs: 200 }]);
  const running = relayFor(redis, api, { minIdleMs: 120_000, shouldStop: () => stop }).run();
  await until('the first dispatch to reach GitHub', () => api.requests.some((r) => r.method === 'POST'));
  stop = true;
  const first = await running;
  assert.equal(first.dispatched, 1, 'the entry in flight was finished');
  assert.equal(first.acked, 1);
  assert.equal(first.released, 3);
  const pending = (await redis.xpending(STREAM, GROUP, '-', '+', 10)) as Array<[string, string, number, number]>;
  assert.equal(pending.length, 3);
  for (const [, owner, idleMs, deliveries] of pending) {
    assert.equal(owner, 'test-relay');
    assert.ok(idleMs > 365 * 86_400_000, `released entries look idle for ever (idle ${idleMs} ms)`);
    assert.equal(deliveries, 0, 'the unused delivery is given back: a stop is not an attempt');
  }
  // Another relay with the default min-idle (2 minutes) takes them now, not in two minutes.
  const second = await relayFor(redis, api, { consumer: 'next-relay', minIdleMs: 120_000 }).run();
  assert.equal(second.dispatched, 3);
  assert.equal(second.duplicates, 0);
  assert.deepEqual(postedKeys(api), ['stop-1', 'stop-2', 'stop-3', 'stop-4'], 'each once: 0 lost, 0 duplicated');
  assert.equal(await pendingCount(redis), 0);
});

test('SIGTERM mid-batch: the next --mode once run (default --min-idle) dispatches the rest at once, 0 lost, 0 duplicated', async (t) => {
  const { server, redis, api, dir } = await relayServices(t);
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, ROUTES);
  const keys = [1, 2, 3, 4, 5, 6].map((n) => `sigterm-${n}`);
  await seed(
    redis,
    keys.map((key) => event('com.example.issue.opened', key)),
  );
  // GitHub is slow on the second dispatch: SIGTERM arrives while it is in flight.
  api.script(
    (req) => req.method === 'POST' && JSON.stringify(req.body).includes('"idempotencykey":"sigterm-2"'),
    [{ status: 204, delayMs: 1000 }],
  );
  const env = { GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN, REDIS_URL: server.url };
  const first = startCli(['relay', '--routes', routes, '--mode', 'continuous', '--consumer', 'relay-stop'], env);
  t.after(() => first.child.kill('SIGKILL'));
  await until('the second dispatch to reach GitHub', () =>
    api.requests.some((r) => r.method === 'POST' && JSON.stringify(r.body).includes('sigterm-2')),
  );
  first.child.kill('SIGTERM');
  const stopped = await first.exit;
  assert.equal(stopped.code, 0, first.stderr());
  assert.match(first.stdout(), /dispatched 2, .*released unstarted on stop 4/);
  assert.match(first.stderr(), /4 entries read but not started released to the group/);
  assert.equal(await pendingCount(redis), 4);

  const startedAt = Date.now();
  const next = startCli(['relay', '--routes', routes, '--mode', 'once', '--consumer', 'relay-next', '--json'], env);
  const done = await next.exit;
  assert.equal(done.code, 0, next.stderr());
  const summary = JSON.parse(next.stdout()) as { dispatched: number; duplicates: number; acked: number };
  assert.deepEqual([summary.dispatched, summary.duplicates, summary.acked], [4, 0, 4]);
  assert.ok(Date.now() - startedAt < 60_000, 'no wait for --min-idle (120 s by default)');
  assert.deepEqual(postedKeys(api), keys, 'every event dispatched exactly once');
  assert.equal(await pendingCount(redis), 0);
  assert.equal(await redis.xlen(DEAD), 0);
});

test('--mode once exits 3 while GitHub fails dispatches, so a scheduled relay goes red; --no-fail-on-pending keeps it green', async (t) => {
  const { server, redis, api, dir } = await relayServices(t);
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, ROUTES);
  await seed(redis, [event('com.example.issue.opened', 'outage-1')]);
  // GitHub is down for the whole test: every dispatch fails (recovery is tested above). A long
  // min-idle keeps each run to one attempt, as a scheduled relay makes.
  api.script(
    'POST /repos/{owner}/{repo}/dispatches',
    Array.from({ length: 20 }, () => ({ status: 422, body: { message: 'Invalid request.' } })),
  );
  const env = { GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN, REDIS_URL: server.url };

  const red = startCli(
    [
      'relay',
      '--routes',
      routes,
      '--mode',
      'once',
      '--min-idle',
      '3600',
      '--consumer',
      'relay-o',
      '--max-attempts',
      '50',
      '--json',
    ],
    env,
  );
  assert.equal((await red.exit).code, 3, red.stderr());
  assert.match(red.stderr(), /relay: \d+ dispatch(es)? failed and (is|are) left pending for the next run \(exit 3\)/);
  assert.ok((JSON.parse(red.stdout()) as { retrying: number }).retrying >= 1);
  assert.equal(await pendingCount(redis), 1, 'the entry waits for the next run');

  const green = startCli(
    [
      'relay',
      '--routes',
      routes,
      '--mode',
      'once',
      '--min-idle',
      '3600',
      '--consumer',
      'relay-o',
      '--max-attempts',
      '50',
      '--no-fail-on-pending',
    ],
    env,
  );
  assert.equal((await green.exit).code, 0, green.stderr());
  assert.match(green.stdout(), /left pending for retry [1-9]/);
  assert.equal(await pendingCount(redis), 1);
  assert.deepEqual(dispatchedKeys(api), [], 'nothing reached GitHub');
});

test('bad routing file and missing token fail with one clear line, no stack trace', async (t) => {
  const dir = tempDir(t);
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, 'routes:\n  - match: a\n    repository: o/r\n    workflow: x.yml\n    event-type: y\n');
  const bad = startCli(['relay', '--routes', routes, '--redis-url', 'redis://127.0.0.1:1'], { GITHUB_TOKEN: TOKEN });
  assert.equal((await bad.exit).code, 1);
  assert.match(
    bad.stderr(),
    new RegExp(
      `^error: ${routes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: routes\\[0\\]\\.event-type is for repository_dispatch`,
    ),
  );
  assert.doesNotMatch(bad.stderr(), /\n\s+at /);

  writeFileSync(routes, ROUTES);
  const noToken = startCli(['relay', '--routes', routes, '--redis-url', 'redis://127.0.0.1:1'], {});
  assert.equal((await noToken.exit).code, 1);
  assert.match(noToken.stderr(), /^error: A GitHub token is required: set GITHUB_TOKEN or pass --github-token/);
});

test('against a real three-node Redis Cluster: dispatch, markers and dead letters share the stream slot; journal written', async (t) => {
  const { cluster, client } = await useRedisCluster(t);
  const seedNode = cluster.nodes[0];
  assert.ok(seedNode);
  const api = await githubFake(t);
  const dir = tempDir(t);
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, ROUTES);

  const events = [
    event('com.example.issue.opened', 'c-1'),
    event('com.example.deploy.requested', 'c-2', { environment: 'production' }),
    event('com.example.nobody.listens', 'c-3'),
    event('com.example.issue.opened', 'c-1'),
  ];
  await seed(client, events);
  const elsewhere = startCli(
    [
      'relay',
      '--routes',
      routes,
      '--redis-url',
      `redis://${seedNode.host}:${seedNode.port}`,
      '--dead-letter-stream',
      'parked-events',
    ],
    {
      GITHUB_API_URL: api.url,
      GITHUB_TOKEN: TOKEN,
    },
  );
  assert.equal((await elsewhere.exit).code, 1);
  assert.match(
    elsewhere.stderr(),
    /error: The dead-letter stream parked-events does not share the hash slot of autostack:events .* e\.g\. \{autostack:events\}:dead/,
  );
  assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'refused before relaying anything');

  const journalPath = join(dir, 'journal.jsonl');
  const relay = startCli(
    [
      'relay',
      '--routes',
      routes,
      '--redis-url',
      `redis://${seedNode.host}:${seedNode.port}`,
      '--min-idle',
      '0',
      '--json',
    ],
    {
      GITHUB_API_URL: api.url,
      GITHUB_TOKEN: TOKEN,
      AUTOSTACK_JOURNAL: journalPath,
      AUTOSTACK_RUN_ID: '20261125T100000Z-00000000c1a5',
    },
  );
  const exit = await relay.exit;
  assert.equal(exit.code, 2, `dead letters make the scheduled run fail loudly\n${relay.stderr()}`);
  assert.match(relay.stderr(), /\(cluster\)/);
  const summary = JSON.parse(relay.stdout()) as { dispatched: number; duplicates: number; deadLettered: number };
  assert.deepEqual([summary.dispatched, summary.duplicates, summary.deadLettered], [2, 1, 1]);
  assert.deepEqual(dispatchedKeys(api), ['c-1', 'c-2']);
  assert.equal(await pendingCount(client), 0);
  assert.equal(await client.xlen(DEAD), 1);
  const touched = (await readJournal(journalPath)).events.filter((e) => e.type === 'system.touched');
  assert.equal(touched.length, 4);
  assert.deepEqual(
    touched.map((e) => (e.type === 'system.touched' ? `${e.operation}:${String(e.duplicate)}` : '')),
    ['repository_dispatch:false', 'workflow_dispatch:false', 'dead-letter:undefined', 'repository_dispatch:true'],
  );
  assert.ok(readFileSync(journalPath, 'utf8').length > 0);
});

test('an ACL user with only the documented permissions can relay; its password never reaches the output', async (t) => {
  const password = 'relay-acl-secret-4711';
  const server = await startRedis({
    password: 'default-user-unused',
    aclUser: { name: 'relay', password, commands: '+@stream +@scripting +get +set +info' },
  });
  t.after(() => server.stop());
  const handle = await openRedis(server.url, { timeoutMs: 5000 });
  t.after(() => handle.close());
  const api = await githubFake(t);
  await seed(handle.client, [event('com.example.issue.opened', 'acl-1'), event('com.example.nope', 'acl-2')]);
  const log = recordingLog();
  const summary = await relayFor(handle.client, api, { log }).run();
  assert.deepEqual([summary.dispatched, summary.deadLettered, summary.acked], [1, 1, 1]);
  assert.equal(await pendingCount(handle.client), 0);
  assert.doesNotMatch(log.text(), new RegExp(password));
});

test('continuous mode rides out a Redis outage right after a dispatch: no second dispatch, nothing lost', async (t) => {
  const server = await startRedis({ aof: true });
  t.after(() => server.stop());
  const api = await githubFake(t);
  const dir = tempDir(t);
  const routes = join(dir, 'relay.yml');
  writeFileSync(routes, ROUTES);
  let redis = new Redis(server.url);
  await seed(redis, [event('com.example.issue.opened', 'before')]);
  redis.disconnect();
  // GitHub accepts the dispatch but answers slowly; Redis dies while the answer is on its way,
  // so the relay cannot write the dispatched marker when it arrives.
  const isBefore = (r: { method: string; body: unknown }) =>
    r.method === 'POST' && JSON.stringify(r.body).includes('"idempotencykey":"before"');
  api.script(isBefore, [{ status: 204, delayMs: 1000 }]);

  const relay = startCli(
    ['relay', '--routes', routes, '--mode', 'continuous', '--consumer', 'relay-r', '--timeout', '1'],
    {
      GITHUB_API_URL: api.url,
      GITHUB_TOKEN: TOKEN,
      REDIS_URL: server.url,
    },
  );
  t.after(() => relay.child.kill('SIGKILL'));
  await until('the dispatch to reach GitHub', () => api.requests.some(isBefore));
  await server.kill();
  await until('the relay to notice Redis is gone', () => /Redis problem .*reconnecting in/.test(relay.stderr()));
  await server.restart();
  redis = new Redis(server.url);
  t.after(() => redis.disconnect());
  await seed(redis, [event('com.example.issue.opened', 'after')]);
  await until(
    'the event published after the restart to be dispatched',
    () => dispatchedKeys(api).includes('after'),
    40_000,
  );
  await until('both entries to be acknowledged', async () => (await pendingCount(redis)) === 0);
  relay.child.kill('SIGTERM');
  const exit = await relay.exit;
  assert.equal(exit.code, 0, relay.stderr());
  assert.match(relay.stderr(), /saved the dispatched markers Redis missed/);
  assert.equal(api.requests.filter(isBefore).length, 1, 'the accepted dispatch was not sent again');
  assert.match(relay.stdout(), /dispatched 2, duplicates skipped 1/);
});
