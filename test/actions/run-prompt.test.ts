import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  errorReply,
  messageReply,
  resetReply,
  slowReply,
  startAnthropicApi,
  streamErrorReply,
  textReply,
  toolUseReply,
  type AnthropicApi,
} from '../fakes/anthropic-api.js';
import { startGitHubApi, type GitHubApi } from '../fakes/github-api.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';
import { Job, REPO_ROOT, visibleLog, type StepResult } from '../harness/job.js';

const ACTION = 'actions/run-prompt';
/** A sentinel key: the test fails if it shows up anywhere the runner or a reader would see it. */
const API_KEY = 'sk-ant-sentinel-7f3a9c1e5b2d4f60';

const TRIAGE = `name: Issue triage
description: Labels a new issue.
version: '1.4.0'
model: openai/gpt-4o-mini
modelParameters:
  maxTokens: 400
  temperature: 0.2
messages:
  - role: system
    content: You triage issues for {{repository}}. Answer with JSON only.
  - role: user
    content: |
      Title: {{title}}
      Body: {{body}}
responseFormat: json_schema
jsonSchema: |-
  {
    "name": "triage",
    "strict": true,
    "schema": {
      "type": "object",
      "properties": {
        "labels": { "type": "array", "items": { "type": "string", "enum": ["bug", "feature", "question"] } },
        "reason": { "type": "string" }
      },
      "required": ["labels", "reason"],
      "additionalProperties": false
    }
  }
`;

const TRIAGE_INPUT = 'repository: octo/app\ntitle: App crashes on start\nbody: Stack trace attached.';
const VALID = { labels: ['bug'], reason: 'a crash on start' };

function writeWorkspaceFile(job: Job, path: string, text: string): string {
  const full = join(job.workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return path;
}

function ok(result: StepResult): void {
  assert.equal(result.exitCode, 0, `step failed:\n${result.stdout}\n${result.stderr}`);
}

function failed(result: StepResult): string {
  assert.equal(result.exitCode, 1, `step should have failed:\n${result.stdout}\n${result.stderr}`);
  assert.doesNotMatch(visibleLog(result), /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace');
  return result.errors.join('\n');
}

interface RunRecord {
  status: string;
  totals: { modelCalls: number; inputTokens: number; outputTokens: number; costUsd: number; toolCalls: number };
  steps: Array<{ name: string; action: string; status: string; error?: string; outputSummary?: string }>;
  events: Array<Record<string, unknown> & { type: string }>;
}

function readRecord(job: Job, runId: string): RunRecord {
  return JSON.parse(readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`), 'utf8')) as RunRecord;
}

describe('run-prompt through its bundle', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });

  /** A job whose steps see the key in env, as `env: ANTHROPIC_API_KEY: ${{ secrets… }}` does. */
  function newJob(env: Record<string, string> = {}): Job {
    return new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ...env }, githubToken: 'ghs_job_token_0123456789' });
  }

  test('must show: schema-valid json after a 429 with retry-after and one invalid reply; the second identical run is a cache hit', async () => {
    const job = newJob();
    const file = writeWorkspaceFile(job, '.github/prompts/triage.prompt.yml', TRIAGE);
    const before = api.requests.length;
    api.enqueue(
      errorReply(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '1' }),
      textReply('Sure! The labels are bug.'),
      textReply(JSON.stringify(VALID)),
    );
    const started = Date.now();
    const first = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT, 'base-url': api.url });
    ok(first);
    assert.ok(Date.now() - started >= 1000, 'waited for retry-after');
    assert.deepEqual(JSON.parse(first.outputs.json ?? ''), VALID);
    assert.equal(first.outputs['cache-hit'], 'false');
    assert.equal(first.outputs['stop-reason'], 'end_turn');
    assert.equal(first.outputs['prompt-version'], '1.4.0');
    assert.match(first.outputs['content-hash'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(first.outputs.fingerprint ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.outputs.model, 'claude-sonnet-5-5');
    assert.ok(Number(first.outputs['input-tokens']) > 0);
    assert.ok(Number(first.outputs['output-tokens']) > 0);
    assert.ok(Number(first.outputs['cost-usd']) > 0);
    assert.match(first.stdout, /::notice::Model 'openai\/gpt-4o-mini' is not a Claude model/);
    assert.match(first.stdout, /::group::run-prompt: Issue triage \(1\.4\.0\)/, 'effective configuration in a collapsed group');
    const sent = api.requests.slice(before);
    assert.equal(sent.length, 3, '429, invalid reply, repaired reply');
    const body = sent[2]?.body;
    assert.equal(body?.model, 'claude-sonnet-5-5');
    assert.equal(body?.max_tokens, 400);
    assert.equal(body?.temperature, 0.2);
    assert.match(JSON.stringify(body?.system), /octo\/app/);
    assert.equal(body?.output_config?.format?.type, 'json_schema', 'native structured output requested');
    const lastTurn = JSON.stringify(body?.messages.at(-1));
    assert.match(lastTurn, /could not be used/);
    assert.match(lastTurn, /not valid JSON/);
    const response = JSON.parse(readFileSync(first.outputs['response-file'] ?? '', 'utf8')) as { json: unknown; fingerprint: string };
    assert.deepEqual(response.json, VALID);
    assert.equal(response.fingerprint, first.outputs.fingerprint);

    const second = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT, 'base-url': api.url });
    ok(second);
    assert.equal(api.requests.length, before + 3, 'no API request on a cache hit');
    assert.equal(second.outputs['cache-hit'], 'true');
    assert.equal(second.outputs.fingerprint, first.outputs.fingerprint);
    assert.equal(second.outputs.json, first.outputs.json);
    assert.equal(second.outputs['cost-usd'], '0.000000');
    assert.ok(existsSync(join(job.workspace, '.autostack', 'cache', 'prompts', (first.outputs.fingerprint ?? '').replace('sha256:', ''), 'result.json')));

    api.enqueue(textReply(JSON.stringify({ labels: ['bug'], reason: 'hangs' })));
    const changed = await job.uses(ACTION, { 'prompt-file': file, input: `${TRIAGE_INPUT}\n`.replace('App crashes', 'App hangs'), 'base-url': api.url });
    ok(changed);
    assert.equal(changed.outputs['cache-hit'], 'false', 'other variables, other fingerprint');
    assert.notEqual(changed.outputs.fingerprint, first.outputs.fingerprint);
  });

  test('cache: false always calls the API', async () => {
    const job = newJob();
    const before = api.requests.length;
    const inputs = { prompt: 'Say hi', 'base-url': api.url, cache: 'false' };
    ok(await job.uses(ACTION, inputs));
    const again = await job.uses(ACTION, inputs);
    ok(again);
    assert.equal(again.outputs['cache-hit'], 'false');
    assert.equal(api.requests.length, before + 2);
  });

  test('a schema that the repair cannot satisfy fails with the validation errors, never a success', async () => {
    const job = newJob();
    const file = writeWorkspaceFile(job, 'triage.prompt.yml', TRIAGE);
    api.enqueue(textReply('{"labels":["urgent"]}'), textReply('{"labels":["urgent"]}'));
    const result = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT, 'base-url': api.url, cache: 'false' });
    const error = failed(result);
    assert.match(error, /not valid structured output after 2 tries/);
    assert.match(error, /reason/);
    assert.equal(result.outputs.json, undefined);
  });
});

describe('run-prompt and the Actions cache', () => {
  let api: AnthropicApi;
  let results: ResultsService;
  before(async () => {
    api = await startAnthropicApi();
    results = await startResultsService();
  });
  after(async () => {
    await api.close();
    await results.close();
  });

  test('a re-run in a fresh workspace is served from the Actions cache without an API request', async () => {
    const env = { ...results.env(), ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url };
    const first = new Job({ env });
    const file = writeWorkspaceFile(first, 'prompts/triage.prompt.yml', TRIAGE);
    api.enqueue(textReply(JSON.stringify(VALID)));
    const run1 = await first.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT });
    ok(run1);
    assert.equal(run1.outputs['cache-hit'], 'false');
    const hex = (run1.outputs.fingerprint ?? '').replace('sha256:', '');
    assert.ok(results.cacheEntries().some((entry) => entry.key === `autostack-prompt-${hex}`), 'saved to the Actions cache');
    assert.equal(api.requests.length, 1);

    const rerun = new Job({ env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    writeWorkspaceFile(rerun, 'prompts/triage.prompt.yml', TRIAGE);
    assert.equal(existsSync(join(rerun.workspace, '.autostack')), false, 'fresh workspace');
    const run2 = await rerun.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT });
    ok(run2);
    assert.equal(run2.outputs['cache-hit'], 'true');
    assert.equal(run2.outputs.json, run1.outputs.json);
    assert.equal(api.requests.length, 1, 'no API request on the re-run');
  });
});
