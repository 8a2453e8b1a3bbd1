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
import { actionOutputNames, Job, REPO_ROOT, visibleLog, type StepResult } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

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
      errorReply(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', {
        'retry-after': '1',
      }),
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
    assert.match(
      first.stdout,
      /::group::run-prompt: Issue triage \(1\.4\.0\)/,
      'effective configuration in a collapsed group',
    );
    const sent = api.requests.slice(before);
    assert.equal(sent.length, 3, '429, invalid reply, repaired reply');
    const body = sent[2]?.body;
    assert.equal(body?.model, 'claude-sonnet-5-5');
    assert.equal(body?.max_tokens, 400);
    assert.equal(body?.temperature, undefined, "claude-sonnet-5-5 takes no temperature: the file's is dropped");
    assert.match(
      first.stdout,
      /::notice::\.github\/prompts\/triage\.prompt\.yml sets temperature 0\.2; claude-sonnet-5-5 takes no sampling parameters/,
    );
    assert.match(JSON.stringify(body?.system), /octo\/app/);
    assert.equal(body?.output_config?.format?.type, 'json_schema', 'native structured output requested');
    const lastTurn = JSON.stringify(body?.messages.at(-1));
    assert.match(lastTurn, /could not be used/);
    assert.match(lastTurn, /not valid JSON/);
    const response = JSON.parse(readFileSync(first.outputs['response-file'] ?? '', 'utf8')) as {
      json: unknown;
      fingerprint: string;
    };
    assert.deepEqual(response.json, VALID);
    assert.equal(response.fingerprint, first.outputs.fingerprint);

    const second = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT, 'base-url': api.url });
    ok(second);
    assert.equal(api.requests.length, before + 3, 'no API request on a cache hit');
    assert.equal(second.outputs['cache-hit'], 'true');
    assert.equal(second.outputs.fingerprint, first.outputs.fingerprint);
    assert.equal(second.outputs.json, first.outputs.json);
    assert.equal(second.outputs['cost-usd'], '0.000000');
    assert.ok(
      existsSync(
        join(
          job.workspace,
          '.autostack',
          'cache',
          'prompts',
          (first.outputs.fingerprint ?? '').replace('sha256:', ''),
          'result.json',
        ),
      ),
    );

    api.enqueue(textReply(JSON.stringify({ labels: ['bug'], reason: 'hangs' })));
    const changed = await job.uses(ACTION, {
      'prompt-file': file,
      input: `${TRIAGE_INPUT}\n`.replace('App crashes', 'App hangs'),
      'base-url': api.url,
    });
    ok(changed);
    assert.equal(changed.outputs['cache-hit'], 'false', 'other variables, other fingerprint');
    assert.notEqual(changed.outputs.fingerprint, first.outputs.fingerprint);
  });

  test('a .md prompt with front matter, input-files and a system-prompt-file', async () => {
    const job = newJob();
    const file = writeWorkspaceFile(
      job,
      'prompts/release.md',
      '---\nname: Release notes\nversion: "2"\nmodel: claude-haiku-4-5\nsystem: You write release notes.\n---\n\nSummarize since {{ tag }}:\n\n{{changes}}\n',
    );
    writeWorkspaceFile(job, 'changes.txt', '- fixed the crash\n');
    writeWorkspaceFile(job, 'style.txt', 'Be brief.');
    api.enqueue(textReply('One fix.'));
    const before = api.requests.length;
    const result = await job.uses(ACTION, {
      'prompt-file': file,
      input: 'tag: v1.2.0',
      'input-files': 'changes: changes.txt',
      'system-prompt-file': 'style.txt',
      'base-url': api.url,
    });
    ok(result);
    assert.equal(result.outputs.text, 'One fix.');
    assert.equal(result.outputs['prompt-version'], '2');
    assert.equal(result.outputs.json, undefined, 'no schema, no json output');
    const body = api.requests[before]?.body;
    assert.equal(body?.model, 'claude-haiku-4-5');
    assert.match(JSON.stringify(body?.system), /You write release notes\.\\n\\nBe brief\./);
    assert.match(JSON.stringify(body?.messages), /Summarize since v1\.2\.0:\\n\\n- fixed the crash/);
  });

  test('the schema is part of the fingerprint even when it is not sent natively', async () => {
    const job = newJob();
    const inputs = { prompt: 'Give me an object.', model: 'claude-sonnet-4-0', 'base-url': api.url };
    api.enqueue(textReply('{"a":1}'), textReply('{"b":2}'));
    const first = await job.uses(ACTION, { ...inputs, schema: '{"type":"object","required":["a"]}' });
    ok(first);
    const second = await job.uses(ACTION, { ...inputs, schema: '{"type":"object","required":["b"]}' });
    ok(second);
    assert.equal(second.outputs['cache-hit'], 'false');
    assert.deepEqual(JSON.parse(second.outputs.json ?? ''), { b: 2 });
  });

  test('AUTOSTACK_DEFAULT_MODEL chooses the model a GitHub Models file falls back to', async () => {
    const job = newJob({ AUTOSTACK_DEFAULT_MODEL: 'claude-haiku-4-5' });
    const file = writeWorkspaceFile(job, 'triage.prompt.yml', TRIAGE);
    api.enqueue(textReply(JSON.stringify(VALID)));
    const result = await job.uses(ACTION, {
      'prompt-file': file,
      input: TRIAGE_INPUT,
      'base-url': api.url,
      cache: 'false',
    });
    ok(result);
    assert.equal(result.outputs.model, 'claude-haiku-4-5');
    assert.match(
      result.stdout,
      /::notice::Model 'openai\/gpt-4o-mini' is not a Claude model; running claude-haiku-4-5/,
    );
    const bad = await newJob({ AUTOSTACK_DEFAULT_MODEL: 'gpt-5' }).uses(ACTION, { prompt: 'x', 'base-url': api.url });
    assert.match(failed(bad), /Input 'model' default from AUTOSTACK_DEFAULT_MODEL must be a Claude model id/);
  });

  test('sampling parameters go to models that take them, and are refused as inputs for models that do not', async () => {
    const job = newJob();
    const file = writeWorkspaceFile(job, 'triage.prompt.yml', TRIAGE);
    api.enqueue(textReply(JSON.stringify(VALID)));
    const before = api.requests.length;
    ok(
      await job.uses(ACTION, {
        'prompt-file': file,
        input: TRIAGE_INPUT,
        model: 'claude-sonnet-4-6',
        'base-url': api.url,
        cache: 'false',
      }),
    );
    assert.equal(api.requests[before]?.body.temperature, 0.2);
    const refused = await job.uses(ACTION, { prompt: 'x', temperature: '0.5', 'base-url': api.url });
    assert.match(failed(refused), /Input 'temperature' cannot be used with claude-sonnet-5-5/);
    assert.equal(api.requests.length, before + 1);
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
    const result = await job.uses(ACTION, {
      'prompt-file': file,
      input: TRIAGE_INPUT,
      'base-url': api.url,
      cache: 'false',
    });
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
    assert.ok(
      results.cacheEntries().some((entry) => entry.key === `autostack-prompt-${hex}`),
      'saved to the Actions cache',
    );
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

  test('an Actions cache outage costs an API call, never the step', async () => {
    const env = { ...results.env(), ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url };
    const job = new Job({ env });
    results.failNext('GetCacheEntryDownloadURL', { status: 403 });
    results.failNext('CreateCacheEntry', { status: 403 });
    api.enqueue(textReply('still answered'));
    const before = api.requests.length;
    const result = await job.uses(ACTION, { prompt: 'Cache outage?' });
    ok(result);
    assert.equal(result.outputs.text, 'still answered');
    assert.equal(result.outputs['cache-hit'], 'false');
    assert.equal(api.requests.length, before + 1);
    assert.ok(result.warnings.length > 0, 'the outage is a warning');
  });
});

describe('run-prompt replay: recorded answers, no key, no network', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });

  /** Nothing listens on port 9 of loopback: a replay that touched the network would fail. */
  const NO_NETWORK = { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };

  test('autostack run-prompt --record stores answers beside the prompt; the action replays them without a key', async () => {
    const job = new Job({ env: NO_NETWORK });
    const file = writeWorkspaceFile(job, 'prompts/triage.prompt.yml', TRIAGE);
    api.enqueue(textReply('not json at all'), textReply(JSON.stringify(VALID)));
    const before = api.requests.length;
    // --input may be repeated: the mappings are merged, so this is the same request as TRIAGE_INPUT.
    const [firstLine, ...rest] = TRIAGE_INPUT.split('\n');
    const recorded = await job.cli(
      [
        'run-prompt',
        '--prompt-file',
        file,
        '--input',
        firstLine ?? '',
        '--input',
        rest.join('\n'),
        '--record',
        '--base-url',
        api.url,
      ],
      { ANTHROPIC_API_KEY: API_KEY },
    );
    assert.equal(recorded.exitCode, 0, recorded.stderr);
    assert.deepEqual(JSON.parse(recorded.stdout), VALID, 'the CLI prints the validated JSON');
    assert.equal(api.requests.length, before + 2, 'the invalid reply and the repair');
    assert.match(recorded.stderr, /recorded 2 answer\(s\) in prompts\/triage\.recordings\.json/);
    const recordings = JSON.parse(readFileSync(join(job.workspace, 'prompts', 'triage.recordings.json'), 'utf8')) as {
      format: string;
      recordings: Record<string, { model: string }>;
    };
    assert.equal(recordings.format, 'autostack.recordings/v1');
    assert.equal(Object.keys(recordings.recordings).length, 2);
    assert.doesNotMatch(JSON.stringify(recordings), new RegExp(API_KEY));

    const replayed = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT, provider: 'replay' });
    ok(replayed);
    assert.deepEqual(JSON.parse(replayed.outputs.json ?? ''), VALID, 'the repair conversation replays turn by turn');
    assert.equal(replayed.outputs['cost-usd'], '0.000000');
    assert.equal(api.requests.length, before + 2, 'no request on replay');

    const live = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT });
    assert.match(
      failed(live),
      /'anthropic-api-key' is empty and ANTHROPIC_API_KEY is not set/,
      'live without a key fails clearly',
    );

    // AUTOSTACK_PROVIDER is read from the environment, as a workflow's `env:` sets it.

    const cliReplay = await job.cli(
      ['run-prompt', '--prompt-file', file, '--input', TRIAGE_INPUT, '--print', 'outputs'],
      { AUTOSTACK_PROVIDER: 'replay' },
    );
    assert.equal(cliReplay.exitCode, 0, cliReplay.stderr);
    const outputs = JSON.parse(cliReplay.stdout) as Record<string, string>;
    assert.deepEqual(JSON.parse(outputs.json ?? ''), VALID);
    assert.equal(outputs['prompt-version'], '1.4.0');
    const declared = actionOutputNames('run-prompt');
    assert.deepEqual(
      Object.keys(outputs).filter((name) => !declared.includes(name)),
      [],
      'only outputs the action declares',
    );
    const cliJson = await job.cli(['run-prompt', '--prompt-file', file, '--input', TRIAGE_INPUT, '--json'], {
      AUTOSTACK_PROVIDER: 'replay',
    });
    assert.equal(cliJson.exitCode, 0, cliJson.stderr);
    assert.deepEqual(
      JSON.parse(cliJson.stdout),
      outputs,
      '--json prints the same outputs, same names and string values',
    );
  });

  test('an unrecorded fingerprint fails clearly, naming the recordings file and how to record', async () => {
    const job = new Job({ env: { ...NO_NETWORK, AUTOSTACK_PROVIDER: 'replay' } });
    const file = writeWorkspaceFile(job, 'prompts/triage.prompt.yml', TRIAGE);
    api.enqueue(textReply(JSON.stringify(VALID)));
    const recorded = await job.cli(
      ['run-prompt', '--prompt-file', file, '--input', TRIAGE_INPUT, '--record', '--base-url', api.url],
      { ANTHROPIC_API_KEY: API_KEY },
    );
    assert.equal(recorded.exitCode, 0, recorded.stderr);

    const other = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT.replace('crashes', 'freezes') });
    const error = failed(other);
    assert.match(error, /No recorded response for this request/);
    assert.match(error, /prompts\/triage\.recordings\.json has 1 recording\(s\), none for this request/);
    assert.match(error, /--record/);

    const missing = await job.uses(ACTION, { prompt: 'never recorded', recordings: 'nowhere.json' });
    assert.match(
      failed(missing),
      /No recorded response for this request .*: the recordings file nowhere\.json does not exist/,
    );
  });
});

describe('run-prompt: retries, failures and stop reasons', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });

  function job(): Job {
    return new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
  }

  async function runInline(inputs: Record<string, string> = {}): Promise<{ result: StepResult; requests: number }> {
    const before = api.requests.length;
    const result = await job().uses(ACTION, { prompt: 'Summarize the release.', cache: 'false', ...inputs });
    return { result, requests: api.requests.length - before };
  }

  const transient: Array<[string, () => void]> = [
    ['529 overloaded', () => api.enqueue(errorReply(529, 'overloaded_error', 'Overloaded'), textReply('recovered'))],
    ['500 api error', () => api.enqueue(errorReply(500, 'api_error', 'Internal server error'), textReply('recovered'))],
    ['a connection reset', () => api.enqueue(resetReply(), textReply('recovered'))],
    [
      'an error event before any output',
      () => api.enqueue(streamErrorReply('overloaded_error', 'Overloaded'), textReply('recovered')),
    ],
    [
      'a 429 with retry-after-ms',
      () =>
        api.enqueue(
          errorReply(429, 'rate_limit_error', 'rate limited', { 'retry-after-ms': '200' }),
          textReply('recovered'),
        ),
    ],
  ];
  for (const [name, script] of transient) {
    test(`${name} is retried and the step succeeds`, async () => {
      script();
      const { result, requests } = await runInline();
      ok(result);
      assert.equal(result.outputs.text, 'recovered');
      assert.equal(requests, 2);
      assert.match(result.stdout, /Retrying in/);
    });
  }

  test('a retried call is journaled with its retries, latency, tokens, cost and stop reason', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    const started = await job.uses('actions/record-run', { name: 'retries', artifact: 'false' });
    ok(started);
    api.enqueue(
      errorReply(529, 'overloaded_error', 'Overloaded'),
      textReply('fine', { usage: { input_tokens: 1000, output_tokens: 100 } }),
    );
    const result = await job.uses(ACTION, { prompt: 'Journal me.', model: 'claude-sonnet-4-6', cache: 'false' });
    ok(result);
    await job.complete();
    const record = readRecord(job, started.outputs['run-id'] ?? '');
    const call = record.events.find((event) => event.type === 'model.call');
    assert.equal(call?.retries, 1);
    assert.equal(call?.model, 'claude-sonnet-4-6');
    assert.equal(call?.inputTokens, 1000);
    assert.equal(call?.outputTokens, 100);
    assert.equal(call?.costUsd, (1000 * 3 + 100 * 15) / 1e6);
    assert.equal(call?.stopReason, 'end_turn');
    assert.equal(call?.fingerprint, result.outputs.fingerprint);
    assert.ok(Number(call?.latencyMs) >= 300, 'latency includes the backoff');
    assert.equal(result.outputs['cost-usd'], ((1000 * 3 + 100 * 15) / 1e6).toFixed(6));
    assert.equal(record.totals.costUsd, (1000 * 3 + 100 * 15) / 1e6);
  });

  test('responseFormat json_object: the reply must be JSON, no schema needed', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    mkdirSync(job.workspace, { recursive: true });
    writeFileSync(
      join(job.workspace, 'obj.prompt.yml'),
      'name: obj\nmessages:\n  - role: user\n    content: Give JSON.\nresponseFormat: json_object\n',
    );
    api.enqueue(textReply('```json\n{"ok": true}\n```'));
    const result = await job.uses(ACTION, { 'prompt-file': 'obj.prompt.yml', cache: 'false' });
    ok(result);
    assert.equal(result.outputs.json, '{"ok":true}');
  });

  test('a reply too large for a step output is cut in `text`, whole in response-file', async () => {
    const big = 'x'.repeat(300 * 1024);
    api.enqueue(textReply(big, { chunkSize: 64 * 1024 }));
    const { result } = await runInline();
    ok(result);
    assert.equal(result.outputs.text?.length, 256 * 1024);
    assert.ok(result.warnings.some((warning) => /Read response-file/.test(warning)));
    const response = JSON.parse(readFileSync(result.outputs['response-file'] ?? '', 'utf8')) as { text: string };
    assert.equal(response.text, big);
  });

  test('a reply slower than idle-timeout-seconds is abandoned and retried', async () => {
    api.enqueue(slowReply(4_000, textReply('too late')), textReply('on time'));
    const { result, requests } = await runInline({ 'idle-timeout-seconds': '1' });
    ok(result);
    assert.equal(result.outputs.text, 'on time');
    assert.equal(requests, 2);
    assert.match(result.stdout, /sent nothing for 1 s/);
  });

  test('a reply slower than the whole timeout fails clearly once the deadline is spent', async () => {
    api.enqueue(slowReply(4_000, textReply('too late')));
    const { result } = await runInline({ 'timeout-seconds': '1' });
    assert.match(failed(result), /deadline|within 1 s/);
  });

  test('a retry-after beyond the deadline fails at once instead of waiting', async () => {
    api.enqueue(errorReply(429, 'rate_limit_error', 'rate limited', { 'retry-after': '3600' }));
    const started = Date.now();
    const { result, requests } = await runInline({ 'timeout-seconds': '30' });
    assert.match(failed(result), /asked to wait 3600 s.*beyond/s);
    assert.equal(requests, 1);
    assert.ok(Date.now() - started < 20_000);
  });

  test('an error event after output had started is not retried', async () => {
    api.enqueue(streamErrorReply('overloaded_error', 'Overloaded', 'Half an ans'));
    const { result, requests } = await runInline();
    assert.match(failed(result), /stream failed after the reply had started/);
    assert.equal(requests, 1);
  });

  for (const [status, type, message] of [
    [400, 'invalid_request_error', 'messages.0.content: text content blocks must be non-empty'],
    [401, 'authentication_error', 'invalid x-api-key'],
    [403, 'permission_error', 'Your API key does not have permission to use the specified resource.'],
    [404, 'not_found_error', 'model: claude-nonexistent'],
  ] as const) {
    test(`${status} fails at once with the API's own message`, async () => {
      api.enqueue(errorReply(status, type, message));
      const { result, requests } = await runInline();
      const error = failed(result);
      assert.equal(requests, 1, 'not retried');
      assert.ok(error.includes(message), error);
      assert.ok(error.includes(`${status} ${type}`), error);
    });
  }

  test('a reply cut at max_tokens fails unless allow-truncation is set', async () => {
    api.enqueue(textReply('The release adds', { stop_reason: 'max_tokens' }));
    const cut = await runInline({ 'max-tokens': '5' });
    assert.match(failed(cut.result), /cut off at max-tokens \(5\)/);
    assert.equal(cut.result.outputs.text, undefined);

    api.enqueue(textReply('The release adds', { stop_reason: 'max_tokens' }));
    const allowed = await runInline({ 'max-tokens': '5', 'allow-truncation': 'true' });
    ok(allowed.result);
    assert.equal(allowed.result.outputs.text, 'The release adds');
    assert.equal(allowed.result.outputs['stop-reason'], 'max_tokens');
  });

  test('the default max-tokens is large enough for real answers', async () => {
    const before = api.requests.length;
    ok((await runInline()).result);
    assert.equal(api.requests[before]?.body.max_tokens, 8192);
  });

  for (const [stopReason, pattern] of [
    ['refusal', /declined to answer/],
    ['model_context_window_exceeded', /context window/],
  ] as const) {
    test(`stop reason ${stopReason} fails the step`, async () => {
      api.enqueue(textReply('', { stop_reason: stopReason }));
      const { result } = await runInline();
      assert.match(failed(result), pattern);
      assert.equal(result.outputs.text, undefined, 'never reported as success');
    });
  }

  test('stop reason pause_turn is continued until the turn ends', async () => {
    api.enqueue(textReply('First half, ', { stop_reason: 'pause_turn' }), textReply('second half.'));
    const { result, requests } = await runInline();
    ok(result);
    assert.equal(requests, 2);
    assert.equal(result.outputs['stop-reason'], 'end_turn');
    assert.match(result.outputs.text ?? '', /second half\./);
  });

  test('stop reasons end_turn and stop_sequence succeed', async () => {
    api.enqueue(textReply('done', { stop_reason: 'stop_sequence', stop_sequence: '###' }));
    const { result } = await runInline();
    ok(result);
    assert.equal(result.outputs['stop-reason'], 'stop_sequence');
  });

  test('max-cost-usd stops a call that could overspend before it is sent', async () => {
    const { result, requests } = await runInline({ model: 'claude-sonnet-5-5', 'max-cost-usd': '0.001' });
    const error = failed(result);
    assert.match(error, /'max-cost-usd' \(0\.001\) stops this call/);
    assert.equal(requests, 0, 'nothing was sent');
  });

  test('max-cost-usd stops the tool loop before the turn that could pass the budget', async () => {
    // Worst case per call at claude-sonnet-5-5: 1000 output tokens at $10/M = $0.01, plus a little input.
    api.enqueue(
      toolUseReply('say', {}, { usage: { input_tokens: 100, output_tokens: 1000 } }),
      textReply('never sent'),
    );
    const tools = '- name: say\n  type: command\n  command: echo';
    const { result, requests } = await runInline({
      model: 'claude-sonnet-5-5',
      'max-tokens': '1000',
      'max-cost-usd': '0.015',
      tools,
    });
    assert.match(failed(result), /max-cost-usd/);
    assert.equal(requests, 1, 'the second call was never made');
    api.enqueue(textReply('drain')); // the unused scripted reply must not leak into later tests
    await runInline();
  });

  test('a model without a price cannot run under a budget', async () => {
    const { result, requests } = await runInline({ model: 'claude-unpriced-9', 'max-cost-usd': '1' });
    assert.match(failed(result), /no price/);
    assert.equal(requests, 0);
  });
});

describe('run-prompt: tools, journal and secrets', () => {
  let api: AnthropicApi;
  let github: GitHubApi;
  before(async () => {
    api = await startAnthropicApi();
    github = await startGitHubApi();
  });
  after(async () => {
    await api.close();
    await github.close();
  });

  const TOOLS = [
    '- github_get_issue',
    '- name: github_add_labels',
    '  allowed-labels: [bug, docs]',
    '- name: read_notes',
    '  type: command',
    '  command: cat',
    "  args: ['--', '{file}']",
    '  parameters: { file: { type: path } }',
    '  description: Read a file of the workspace',
  ].join('\n');

  test('the tool loop runs GitHub and command tools; every call lands in the run journal and record', async () => {
    const issue = github.addIssue({ title: 'App crashes on start', body: 'Stack trace attached.' });
    const job = new Job({
      env: { GITHUB_API_URL: github.url, ANTHROPIC_BASE_URL: api.url },
      githubToken: 'ghs_tools_token_0123456789',
    });
    writeWorkspaceFile(job, 'notes.txt', 'Known crash: config migration.\n');
    const started = await job.uses('actions/record-run', { name: 'tool triage', artifact: 'false' });
    ok(started);
    const runId = started.outputs['run-id'] ?? '';

    api.enqueue(
      toolUseReply('github_get_issue', { number: issue.number }, { preamble: 'Let me read the issue.' }),
      toolUseReply('read_notes', { file: 'notes.txt' }),
      toolUseReply('github_add_labels', { number: issue.number, labels: ['bug'] }),
      textReply('Labelled as bug: a crash on start matching the known config migration crash.'),
    );
    const before = api.requests.length;
    const result = await job.uses(ACTION, {
      prompt: `Triage issue #${issue.number}.`,
      tools: TOOLS,
      'anthropic-api-key': API_KEY,
    });
    ok(result);
    assert.equal(result.outputs['tool-calls'], '3');
    assert.match(result.outputs.text ?? '', /Labelled as bug/);
    const sent = api.requests.slice(before);
    assert.equal(sent.length, 4);
    assert.deepEqual(
      (sent[0]?.body.tools ?? []).map((tool) => (tool as { name: string }).name),
      ['github_get_issue', 'github_add_labels', 'read_notes'],
    );
    assert.match(JSON.stringify(sent[1]?.body.messages.at(-1)), /tool_result.*App crashes on start/);
    assert.match(JSON.stringify(sent[2]?.body.messages.at(-1)), /Known crash: config migration/);
    assert.deepEqual(
      github.repo().issues.get(issue.number)?.labels,
      ['bug'],
      'the label was added through the REST API',
    );

    const [post] = await job.complete();
    ok(post ?? assert.fail('no post step'));
    const record = readRecord(job, runId);
    const toolEvents = record.events.filter((event) => event.type === 'tool.call');
    assert.deepEqual(
      toolEvents.map((event) => event.tool),
      ['github_get_issue', 'read_notes', 'github_add_labels'],
    );
    assert.match(String(toolEvents[1]?.output), /Known crash/);
    const modelEvents = record.events.filter((event) => event.type === 'model.call');
    assert.equal(modelEvents.length, 4);
    for (const event of modelEvents) {
      assert.equal(event.fingerprint, result.outputs.fingerprint);
      assert.equal(event.stopReason === 'tool_use' || event.stopReason === 'end_turn', true);
      assert.equal(typeof event.latencyMs, 'number');
      assert.equal(event.retries, 0);
    }
    assert.equal(record.totals.modelCalls, 4);
    assert.equal(record.totals.toolCalls, 3);
    assert.equal(record.totals.outputTokens, Number(result.outputs['output-tokens']));
    assert.ok(record.events.some((event) => event.type === 'system.touched' && event.system === 'anthropic'));
    const step = record.steps.find((candidate) => candidate.action === 'run-prompt');
    assert.equal(step?.status, 'success');
    const version = record.events.find((event) => event.type === 'log' && /^prompt /.test(String(event.message)));
    assert.deepEqual(
      (version?.data as { promptVersion: string; contentHash: string }).promptVersion,
      result.outputs['prompt-version'],
    );
    assert.equal((version?.data as { contentHash: string }).contentHash, result.outputs['content-hash']);
  });

  test('a failing tool is shown to the model as an error, and the loop goes on', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    api.enqueue(toolUseReply('read_notes', { file: 'missing.txt' }), textReply('The file is missing.'));
    const before = api.requests.length;
    const result = await job.uses(ACTION, {
      prompt: 'Read the notes.',
      tools: TOOLS.split('\n').slice(3).join('\n'),
      cache: 'false',
    });
    ok(result);
    const toolResult = JSON.stringify(api.requests[before + 1]?.body.messages.at(-1));
    assert.match(toolResult, /"is_error":true/);
    assert.match(toolResult, /missing\.txt does not exist/);
  });

  test('max-turns bounds the tool loop', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    api.enqueue(toolUseReply('say', {}), toolUseReply('say', {}), textReply('unused'));
    const result = await job.uses(ACTION, {
      prompt: 'Loop.',
      tools: '- name: say\n  type: command\n  command: echo',
      'max-turns': '2',
      cache: 'false',
    });
    assert.match(failed(result), /still using tools after 2 turns \(max-turns\)/);
    api.enqueue(textReply('drain'));
    await job.uses(ACTION, { prompt: 'drain', cache: 'false' });
  });

  test('a shell or interpreter as a command tool is refused, naming the input', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    const before = api.requests.length;
    const result = await job.uses(ACTION, { prompt: 'x', tools: '- name: run\n  type: command\n  command: /bin/bash' });
    const error = failed(result);
    assert.match(error, /input 'tools': tools\[0\] \(run\) command must not be a shell, interpreter or command runner/);
    assert.equal(api.requests.length, before);
  });

  test('the sentinel API key appears in no log, output, summary, journal or run record', async () => {
    github.addIssue({ title: `Leak test`, body: 'nothing secret here' });
    const job = new Job({
      env: { GITHUB_API_URL: github.url, ANTHROPIC_BASE_URL: api.url },
      githubToken: 'ghs_sentinel_token_0123456789',
    });
    const started = await job.uses('actions/record-run', { name: 'sentinel' });
    ok(started);
    const runId = started.outputs['run-id'] ?? '';
    const steps: StepResult[] = [started];

    api.enqueue(toolUseReply('github_get_issue', { number: 1 }), textReply('{"ok":true}'));
    steps.push(
      await job.uses(ACTION, {
        prompt: 'Check issue 1.',
        tools: '- github_get_issue',
        schema: '{"type":"object"}',
        'anthropic-api-key': API_KEY,
      }),
    );
    ok(steps[1] ?? assert.fail());
    // An API error that quotes the key back must not carry it into the log or the record.
    api.enqueue(errorReply(401, 'authentication_error', `invalid x-api-key: ${API_KEY}`));
    steps.push(await job.uses(ACTION, { prompt: 'Again.', 'anthropic-api-key': API_KEY, cache: 'false' }));
    assert.equal(steps[2]?.exitCode, 1);
    steps.push(
      await job.cli(['run-prompt', '--prompt', 'From the CLI.', '--cache', 'false'], { ANTHROPIC_API_KEY: API_KEY }),
    );
    assert.equal(steps[3]?.exitCode, 0, steps[3]?.stderr);
    steps.push(...(await job.complete()));

    const journal = readFileSync(started.outputs.journal ?? '', 'utf8');
    const record = readFileSync(join(job.workspace, '.autostack', 'runs', `${runId}.json`), 'utf8');
    assert.match(record, /invalid x-api-key: \*\*\*/, 'the failure is recorded, redacted');
    const failure = (JSON.parse(record) as RunRecord).events.find(
      (event) => event.type === 'log' && event.level === 'error',
    );
    assert.deepEqual(
      [(failure?.data as { status: number }).status, (failure?.data as { kind: string }).kind],
      [401, 'authentication'],
      'the failed call is journaled',
    );
    const places: Array<[string, string]> = [
      ['journal', journal],
      ['run record', record],
    ];
    for (const [index, step] of steps.entries()) {
      places.push(
        [`step ${index} log`, visibleLog(step)],
        [`step ${index} outputs`, JSON.stringify(step.outputs)],
        [`step ${index} summary`, step.summary],
      );
    }
    const responses = join(job.runnerTemp, 'autostack', 'responses');
    for (const name of existsSync(responses) ? readdirSync(responses) : [])
      places.push([`response file ${name}`, readFileSync(join(responses, name), 'utf8')]);
    for (const [where, text] of places) {
      assert.equal(text.includes(API_KEY), false, `the key leaked into the ${where}`);
      assert.equal(text.includes('ghs_sentinel_token_0123456789'), false, `the GitHub token leaked into the ${where}`);
    }
  });
});

describe('run-prompt: bad prompts and inputs', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });

  test('a missing template variable names the file and line, with no request sent', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    const file = writeWorkspaceFile(
      job,
      'prompts/missing.prompt.yml',
      [
        'name: missing',
        'messages:',
        '  - role: user',
        '    content: |',
        '      First line.',
        '      About {{topic}}.',
        '',
      ].join('\n'),
    );
    const before = api.requests.length;
    const result = await job.uses(ACTION, { 'prompt-file': file, input: 'subject: x' });
    const error = failed(result);
    assert.match(
      error,
      /prompts\/missing\.prompt\.yml:6: .*\{\{topic\}\}.*no variable 'topic' was given \(variables given: subject\)/,
    );
    assert.match(result.stdout, /::error title=autostack,file=prompts\/missing\.prompt\.yml,line=6::/);
    assert.equal(api.requests.length, before);
  });

  test('a malformed prompt file and an invalid schema name the file and line', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    const bad = writeWorkspaceFile(
      job,
      'bad.prompt.yml',
      'name: bad\nmessages:\n  - role: user\n    content: [unclosed\n',
    );
    assert.match(failed(await job.uses(ACTION, { 'prompt-file': bad })), /bad\.prompt\.yml:\d+/);
    const schema = writeWorkspaceFile(job, 'schema.prompt.yml', TRIAGE.replace('"type": "object"', '"type": "objekt"'));
    assert.match(
      failed(await job.uses(ACTION, { 'prompt-file': schema, input: TRIAGE_INPUT })),
      /schema\.prompt\.yml:\d+/,
    );
  });

  const invalid: Array<[Record<string, string>, RegExp]> = [
    [
      { prompt: 'x', 'max-tokens': 'lots' },
      /Input 'max-tokens' must be a whole number from 1 to 128000 \(got 'lots'\)/,
    ],
    [{ prompt: 'x', temperature: '3' }, /Input 'temperature' must be a number from 0 to 1 \(got '3'\)/],
    [
      { prompt: 'x', provider: 'openai' },
      /Input 'provider' must be one of anthropic, bedrock, vertex, replay \(got 'openai'\)/,
    ],
    [{ prompt: 'x', cache: 'maybe' }, /Input 'cache' must be true or false/],
    [{ prompt: 'x', input: 'title: [unclosed' }, /Input 'input' is not valid YAML/],
    [{ prompt: 'x', input: '- a\n- b' }, /Input 'input' must be a YAML mapping/],
    [
      { prompt: 'x', 'input-files': 'diff: nowhere.diff' },
      /Input 'input-files' names a file that does not exist: nowhere\.diff/,
    ],
    [{ prompt: 'x', 'prompt-file': 'p.md' }, /'prompt' and 'prompt-file' were both given/],
    [{}, /Input 'prompt' or 'prompt-file' is required/],
    [{ 'prompt-file': 'nowhere.prompt.yml' }, /nowhere\.prompt\.yml/],
    [{ prompt: 'x', schema: '{"type": 12}' }, /schema/],
    [{ prompt: 'x', tools: 'name: not-a-list' }, /Input 'tools' must be a YAML list/],
    [{ prompt: 'x', tools: '- github_delete_repo' }, /tools\[0\] \(github_delete_repo\) must be a built-in tool/],
  ];
  for (const [inputs, pattern] of invalid) {
    test(`invalid inputs ${JSON.stringify(inputs)} fail naming the input`, async () => {
      const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
      const result = await job.uses(ACTION, inputs);
      assert.match(failed(result), pattern);
    });
  }

  test('the CLI rejects bad flags the same way, naming the flag', async () => {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    const result = await job.cli(['run-prompt', '--prompt', 'x', '--max-tokens', 'lots']);
    assert.equal(result.exitCode, 1);
    assert.match(
      result.stderr,
      /^error: flag '--max-tokens' must be a whole number from 1 to \d+ \(got 'lots'\); see 'autostack run-prompt --help'$/m,
    );
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line, not the whole help');
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    const both = await job.cli(['run-prompt', '--prompt', 'x', '--record', '--provider', 'replay']);
    assert.match(both.stderr, /'--record' needs the live API/);
  });
});

describe('run-prompt metadata', () => {
  type Manifest = {
    inputs: Record<string, { default?: string; description: string }>;
    outputs: Record<string, { description: string }>;
    runs: { using: string; main: string };
  };
  const read = (path: string): Manifest => parseYaml(readFileSync(join(REPO_ROOT, path), 'utf8')) as Manifest;

  test('the root action.yml is actions/run-prompt/action.yml with its main path', () => {
    const root = read('action.yml');
    const nested = read('actions/run-prompt/action.yml');
    assert.equal(root.runs.main, 'dist/run-prompt/index.js');
    assert.equal(nested.runs.main, '../../dist/run-prompt/index.js');
    assert.deepEqual({ ...root, runs: { ...root.runs, main: '' } }, { ...nested, runs: { ...nested.runs, main: '' } });
    assert.equal(nested.runs.using, 'node24');
  });

  test('action.yml inputs are the zod shape, and their defaults mean what the schema defaults to', async () => {
    const { runPromptInputs } = await import('../../src/actions/run-prompt-inputs.js');
    const { readInputs } = await import('../../src/shared/inputs.js');
    const manifest = read('actions/run-prompt/action.yml');
    assert.deepEqual(Object.keys(manifest.inputs).sort(), Object.keys(runPromptInputs).sort());
    const withDefaults = readInputs(runPromptInputs, (name) => {
      const value = manifest.inputs[name]?.default;
      return value === undefined || value.includes('${{') ? undefined : value;
    });
    const without = readInputs(runPromptInputs, () => undefined);
    assert.deepEqual(withDefaults, without);
    for (const [name, spec] of Object.entries(manifest.inputs))
      assert.ok(spec.description.length > 10, `${name} is described`);
  });

  test("run-prompt's README cost table is the price table", async () => {
    const { priceFor } = await import('../../src/ai/prices.js');
    const readme = readFileSync(join(REPO_ROOT, 'actions/run-prompt/README.md'), 'utf8');
    const rows = [
      ...readme.matchAll(/^\| `(claude-[a-z0-9-]+)` \| \$([\d.]+) \| \$([\d.]+) \| \$([\d.]+) \| \$([\d.]+) \|$/gm),
    ];
    assert.ok(rows.length >= 10, 'the cost table is there');
    for (const [, model, input, output, write, read] of rows) {
      const price = priceFor(model ?? '');
      assert.deepEqual(
        [price?.input, price?.output, price?.cacheWrite, price?.cacheRead],
        [input, output, write, read].map(Number),
        `${model} in the README`,
      );
    }
  });

  test("run-prompt's README documents every input and output", () => {
    const section = readFileSync(join(REPO_ROOT, 'actions/run-prompt/README.md'), 'utf8');
    const manifest = read('actions/run-prompt/action.yml');
    for (const name of [...Object.keys(manifest.inputs), ...Object.keys(manifest.outputs)]) {
      assert.match(
        section,
        new RegExp(`\\| \`${name}\` \\|`),
        `actions/run-prompt/README.md has a table row for ${name}`,
      );
    }
  });
});

describe('run-prompt on Node 24 (what runners use)', () => {
  const node24 = process.env.AUTOSTACK_NODE24;
  test(
    'the bundle retries, repairs, caches and replays on Node 24',
    {
      skip: node24
        ? false
        : (process.env.AUTOSTACK_NODE24_SKIP ?? 'AUTOSTACK_NODE24 is not set (npm test and .ci/run set it)'),
    },
    async () => {
      const api = await startAnthropicApi();
      const results = await startResultsService();
      try {
        const job = new Job({
          env: { ...results.env(), ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url },
          nodePath: node24,
        });
        const file = writeWorkspaceFile(job, 'triage.prompt.yml', TRIAGE);
        api.enqueue(
          errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '100' }),
          resetReply(),
          textReply('nope'),
          textReply(JSON.stringify(VALID)),
        );
        const first = await job.uses(ACTION, { 'prompt-file': file, input: TRIAGE_INPUT });
        ok(first);
        assert.deepEqual(JSON.parse(first.outputs.json ?? ''), VALID);
        assert.equal(api.requests.length, 4);
        const again = new Job({ env: { ...results.env(), ANTHROPIC_BASE_URL: api.url }, nodePath: node24 });
        writeWorkspaceFile(again, 'triage.prompt.yml', TRIAGE);
        const hit = await again.uses(ACTION, {
          'prompt-file': file,
          input: TRIAGE_INPUT,
          'anthropic-api-key': API_KEY,
        });
        ok(hit);
        assert.equal(hit.outputs['cache-hit'], 'true');
        assert.equal(api.requests.length, 4);
      } finally {
        await api.close();
        await results.close();
      }
    },
  );
});
