import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAnthropicApi, textReply, type AnthropicApi } from '../fakes/anthropic-api.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';
import { Job, visibleLog, type StepResult } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

const ACTION = 'actions/run-prompt';
const API_KEY = 'sk-ant-sentinel-batch-5e1d7c3a9b';

const TRIAGE = `name: Triage
version: '2.0.0'
model: claude-haiku-4-5
modelParameters:
  maxTokens: 300
messages:
  - role: system
    content: Label issues. Answer with JSON only.
  - role: user
    content: 'Title: {{title}} (repo {{repo}})'
responseFormat: json_schema
jsonSchema: |-
  {"name": "triage", "schema": {"type": "object", "required": ["label"], "additionalProperties": false,
   "properties": {"label": {"type": "string", "enum": ["bug", "feature"]}}}}
`;

/** 1,000 input and 100 output tokens on claude-haiku-4-5 ($1 / $5 per million), at half price. */
const USAGE = { input_tokens: 1000, output_tokens: 100 };
const ITEM_COST = (1000 * 1 + 100 * 5) / 1e6 / 2;

interface ResultLine {
  id: string;
  status: 'ok' | 'error';
  outputs: { text?: string; json?: unknown; model?: string; 'stop-reason'?: string };
  tokens: { input: number; output: number };
  costUsd: number;
  error?: string;
}

function write(job: Job, path: string, text: string): string {
  const full = join(job.workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return path;
}

function readResults(job: Job, path: string): ResultLine[] {
  return readFileSync(join(job.workspace, path), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ResultLine);
}

function customIdsOf(api: AnthropicApi, create: number): string[] {
  const body = api.batches.creates[create]?.body as unknown as { requests: Array<{ custom_id: string }> };
  return body.requests.map((request) => request.custom_id);
}

function bug(): { type: 'succeeded'; reply: ReturnType<typeof textReply> } {
  return { type: 'succeeded', reply: textReply('{"label":"bug"}', { usage: USAGE }) };
}

describe('run-prompt mode message-batches through its bundle', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });

  function newJob(env: Record<string, string> = {}): Job {
    return new Job({
      env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url, AUTOSTACK_BATCH_POLL_MS: '20', ...env },
    });
  }

  const batchInputs = (extra: Record<string, string> = {}): Record<string, string> => ({
    'prompt-file': 'prompts/triage.prompt.yml',
    input: 'repo: octo/app',
    mode: 'message-batches',
    'batch-file': 'items.jsonl',
    ...extra,
  });

  test('submit, poll, collect: one result line per item at half price, each request as a single run renders it, totals in the run record', async () => {
    const job = newJob();
    const started = await job.uses('actions/record-run', { name: 'batch', artifact: 'false' });
    ok(started);
    write(job, 'prompts/triage.prompt.yml', TRIAGE);
    write(
      job,
      'items.jsonl',
      '{"id": "issue-1", "variables": {"title": "Crash"}}\n\n{"title": "Slow start"}\n{"id": "issue 3/odd", "variables": {"title": "Typo", "repo": "octo/docs"}}\n',
    );
    api.batches.pollsBeforeEnd = 2;
    api.batches.answer = () => bug();
    const creates = api.batches.creates.length;
    const result = await job.uses(ACTION, batchInputs({ 'custom-headers': 'X-Team: triage' }));
    ok(result);
    assert.equal(api.batches.creates.length, creates + 1);
    assert.equal(api.batches.creates[creates]?.headers['x-team'], 'triage', 'custom-headers reach the Batches API');
    assert.deepEqual(customIdsOf(api, creates).slice(0, 2), ['issue-1', 'line-3']);
    assert.match(customIdsOf(api, creates)[2] ?? '', /^id-[0-9a-f]{24}$/);
    assert.equal(result.outputs['batch-ok'], '3');
    assert.equal(result.outputs['batch-failed'], '0');
    assert.match(result.outputs['message-batch-id'] ?? '', /^msgbatch_/);
    assert.equal(result.outputs.model, 'claude-haiku-4-5');
    assert.match(result.stdout, /Triage \(2\.0\.0\) on claude-haiku-4-5: 3 item\(s\) of items\.jsonl to run/);
    assert.equal(result.outputs['cost-usd'], (3 * ITEM_COST).toFixed(6));
    assert.equal(result.outputs['batch-results-file'], join(job.workspace, 'items.results.jsonl'));
    assert.match(result.stdout, /in_progress \(0 succeeded, 0 errored, 0 expired, 0 canceled, 3 processing\)/);
    assert.match(result.stdout, /submitted message batch msgbatch_\w+: 3 request\(s\) at half the list price/);

    const lines = readResults(job, 'items.results.jsonl');
    assert.deepEqual(
      lines.map((line) => [line.id, line.status]),
      [
        ['issue-1', 'ok'],
        ['line-3', 'ok'],
        ['issue 3/odd', 'ok'],
      ],
    );
    assert.deepEqual(lines[0]?.outputs.json, { label: 'bug' });
    assert.equal(lines[0]?.outputs.model, 'claude-haiku-4-5');
    assert.deepEqual(lines[0]?.tokens, { input: 1000, output: 100 });
    assert.equal(lines[0]?.costUsd, ITEM_COST);
    assert.equal(existsSync(join(job.workspace, 'items.results.jsonl.batch.json')), false, 'state gone once collected');

    // The batch request of issue-1 is the body a single run sends for the same variables.
    api.enqueue(textReply('{"label":"bug"}'));
    const single = await job.uses(ACTION, {
      'prompt-file': 'prompts/triage.prompt.yml',
      input: 'repo: octo/app\ntitle: Crash',
      cache: 'false',
    });
    ok(single);
    const { stream: _stream, ...live } = api.requests.at(-1)?.body ?? {};
    const batched = (api.batches.creates[creates]?.body as unknown as { requests: Array<{ params: unknown }> })
      .requests[0]?.params;
    assert.deepEqual(batched, live);

    await job.complete();
    const record = JSON.parse(
      readFileSync(join(job.workspace, '.autostack', 'runs', `${started.outputs['run-id'] ?? ''}.json`), 'utf8'),
    ) as { totals: { modelCalls: number; costUsd: number }; events: Array<Record<string, unknown>> };
    const calls = record.events.filter((event) => event.type === 'model.call' && event.provider === 'anthropic-batch');
    assert.equal(calls.length, 3);
    assert.equal(calls[0]?.costUsd, ITEM_COST);
    assert.ok(record.totals.costUsd >= 3 * ITEM_COST - 1e-9);
    assert.ok(
      record.events.some((event) => event.type === 'system.touched' && event.operation === 'messages.batches.create'),
    );
    for (const text of [visibleLog(result), readFileSync(join(job.workspace, 'items.results.jsonl'), 'utf8')])
      assert.doesNotMatch(text, new RegExp(API_KEY));
  });

  test('errored, expired and invalid replies are error lines; a re-run submits only those items', async () => {
    const job = newJob();
    write(job, 'prompts/triage.prompt.yml', TRIAGE);
    write(
      job,
      'items.jsonl',
      ['e-ok', 'e-err', 'e-exp', 'e-bad'].map((id) => `{"id":"${id}","variables":{"title":"t"}}`).join('\n'),
    );
    api.batches.pollsBeforeEnd = 0;
    api.batches.script('e-ok', bug());
    api.batches.script('e-err', { type: 'errored', errorType: 'invalid_request_error', message: 'prompt is too long' });
    api.batches.script('e-exp', { type: 'expired' });
    api.batches.script('e-bad', { type: 'succeeded', reply: textReply('{"label":"urgent"}', { usage: USAGE }) });
    // Failed items fail the step unless batch-fail-on-error is false, as with live calls.
    const first = await job.uses(ACTION, batchInputs({ 'batch-fail-on-error': 'false' }));
    ok(first);
    assert.equal(first.outputs['batch-ok'], '1');
    assert.equal(first.outputs['batch-failed'], '3');
    assert.ok(first.warnings.some((warning) => /3 of 4 batch item\(s\) failed/.test(warning)));
    const lines = readResults(job, 'items.results.jsonl');
    assert.deepEqual(
      lines.map((line) => [line.id, line.status]),
      [
        ['e-ok', 'ok'],
        ['e-err', 'error'],
        ['e-exp', 'error'],
        ['e-bad', 'error'],
      ],
    );
    assert.match(lines[1]?.error ?? '', /invalid_request_error.*prompt is too long/);
    assert.match(lines[2]?.error ?? '', /expired/);
    assert.match(lines[3]?.error ?? '', /not valid structured output/);
    assert.equal(lines[3]?.costUsd, ITEM_COST, 'an invalid reply was still paid for');

    for (const id of ['e-err', 'e-exp', 'e-bad']) api.batches.script(id, bug());
    const creates = api.batches.creates.length;
    const rerun = await job.uses(ACTION, batchInputs());
    ok(rerun);
    assert.equal(api.batches.creates.length, creates + 1);
    assert.deepEqual(customIdsOf(api, creates), ['e-err', 'e-exp', 'e-bad']);
    assert.deepEqual(
      readResults(job, 'items.results.jsonl').map((line) => line.status),
      ['ok', 'ok', 'ok', 'ok'],
    );
    assert.deepEqual(readResults(job, 'items.results.jsonl')[0], lines[0], 'the ok line is kept as it was');
    assert.equal(rerun.outputs['batch-ok'], '3', 'ok in this run');
    assert.equal(rerun.outputs['batch-skipped'], '1', 'ok from the first run');

    const done = await job.uses(ACTION, batchInputs());
    ok(done);
    assert.equal(api.batches.creates.length, creates + 1, 'nothing left to submit');
    assert.equal(done.outputs['batch-skipped'], '4');
    assert.equal(done.outputs['batch-ok'], '0');
    assert.equal(done.outputs['message-batch-id'], '');
    assert.match(done.stdout, /every item of items\.jsonl already has an ok line/);
  });

  test('killed while waiting: the batch keeps running, one line says so, and a re-run collects it without a second create', async () => {
    const job = newJob();
    write(job, 'prompts/triage.prompt.yml', TRIAGE);
    write(job, 'items.jsonl', '{"id":"k-1","variables":{"title":"a"}}\n{"id":"k-2","variables":{"title":"b"}}\n');
    api.batches.pollsBeforeEnd = 1_000_000;
    api.batches.answer = () => bug();
    const creates = api.batches.creates.length;
    const polls = api.batches.retrieves.length;
    const running = job.startUses(ACTION, batchInputs());
    while (api.batches.retrieves.length < polls + 2) await new Promise((resolve) => setTimeout(resolve, 20));
    running.child.kill('SIGTERM');
    const killed: StepResult = await running.done;
    assert.equal(killed.exitCode, 143);
    assert.match(
      killed.stdout,
      /message batch msgbatch_\w+ keeps running at Anthropic, and items\.results\.jsonl\.batch\.json remembers it; a re-run collects its results without paying again/,
    );
    const state = JSON.parse(readFileSync(join(job.workspace, 'items.results.jsonl.batch.json'), 'utf8')) as {
      batchId: string;
    };

    api.batches.pollsBeforeEnd = 0;
    const rerun = await job.uses(ACTION, batchInputs());
    ok(rerun);
    assert.equal(api.batches.creates.length, creates + 1, 'one create over both runs');
    assert.equal(rerun.outputs['message-batch-id'], state.batchId);
    assert.match(rerun.stdout, new RegExp(`collecting message batch ${state.batchId}`));
    assert.equal(rerun.outputs['batch-ok'], '2');
  });

  test('bad input: a bad batch line names file:line; message-batches without a batch file names the input', async () => {
    const job = newJob();
    write(job, 'prompts/triage.prompt.yml', TRIAGE);
    write(job, 'items.jsonl', '{"id":"x","variables":{"title":"a"}}\n{"title": \n');
    const creates = api.batches.creates.length;
    const bad = failed(await job.uses(ACTION, batchInputs()));
    assert.match(bad, /^Input 'batch-file' names items\.jsonl, whose line 2 is not valid JSON/);
    const missing = failed(
      await job.uses(ACTION, { 'prompt-file': 'prompts/triage.prompt.yml', mode: 'message-batches' }),
    );
    assert.match(missing, /^Input 'batch-file' is required with mode: message-batches/);
    const mode = failed(await job.uses(ACTION, batchInputs({ mode: 'batch' })));
    assert.match(mode, /^Input 'mode' must be one of messages, message-batches/);
    assert.equal(api.batches.creates.length, creates);
  });

  test('the CLI runs the same mode and prints the outputs, results file included', async () => {
    const job = newJob();
    write(job, 'words.jsonl', '{"word": "one"}\n{"word": "two"}\n');
    api.batches.pollsBeforeEnd = 1;
    api.batches.answer = () => ({ type: 'succeeded', reply: textReply('said', { usage: USAGE }) });
    const result = await job.cli([
      'run-prompt',
      '--prompt',
      'Say {{word}}',
      '--model',
      'claude-haiku-4-5',
      '--mode',
      'message-batches',
      '--batch-file',
      'words.jsonl',
    ]);
    ok(result);
    const printed = JSON.parse(result.stdout) as Record<string, string>;
    assert.equal(printed['batch-results-file'], join(job.workspace, 'words.results.jsonl'));
    assert.equal(printed['batch-ok'], '2');
    const lines = readResults(job, 'words.results.jsonl');
    assert.deepEqual(
      lines.map((line) => [line.id, line.status, line.outputs.text]),
      [
        ['line-1', 'ok', 'said'],
        ['line-2', 'ok', 'said'],
      ],
    );
  });
});

describe('run-prompt mode message-batches on a fresh workspace (GitHub-hosted re-run)', () => {
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

  test('the batch id comes back from the Actions cache, so the re-run collects the same batch', async () => {
    const env = {
      ...results.env(),
      ANTHROPIC_API_KEY: API_KEY,
      ANTHROPIC_BASE_URL: api.url,
      AUTOSTACK_BATCH_POLL_MS: '20',
    };
    const inputs = {
      'prompt-file': 'prompts/triage.prompt.yml',
      input: 'repo: octo/app',
      mode: 'message-batches',
      'batch-file': 'items.jsonl',
      'batch-timeout-minutes': '1',
    };
    const items = '{"id":"f-1","variables":{"title":"a"}}\n{"id":"f-2","variables":{"title":"b"}}\n';
    api.batches.pollsBeforeEnd = 1_000_000;
    api.batches.answer = () => bug();
    const first = new Job({ env });
    write(first, 'prompts/triage.prompt.yml', TRIAGE);
    write(first, 'items.jsonl', items);
    const running = first.startUses(ACTION, inputs);
    while (api.batches.retrieves.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    running.child.kill('SIGTERM');
    assert.equal((await running.done).exitCode, 143);
    assert.equal(api.batches.creates.length, 1);
    assert.ok(results.cacheEntries().some((entry) => entry.key.startsWith('autostack-message-batch-')));

    api.batches.pollsBeforeEnd = 0;
    const rerun = new Job({ env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    write(rerun, 'prompts/triage.prompt.yml', TRIAGE);
    write(rerun, 'items.jsonl', items);
    assert.equal(existsSync(join(rerun.workspace, '.autostack')), false, 'fresh workspace');
    const collected = await rerun.uses(ACTION, inputs);
    ok(collected);
    assert.equal(api.batches.creates.length, 1, 'no second create');
    assert.equal(collected.outputs['batch-ok'], '2');
    assert.deepEqual(
      readResults(rerun, 'items.results.jsonl').map((line) => line.id),
      ['f-1', 'f-2'],
    );
  });
});
