import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AnthropicApi, errorReply, startAnthropicApi, textReply } from '../fakes/anthropic-api.js';
import { Job, visibleLog } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

const ACTION = 'actions/run-prompt';
const API_KEY = 'sk-ant-sentinel-batch-5b2d4f607f3a9c1e';
const PROMPT = 'name: label\nmessages:\n  - role: user\n    content: Label {{title}} for {{repo}}.\n';

interface ResultLine {
  id: string;
  status: 'ok' | 'error';
  outputs: { text?: string; json?: unknown };
  tokens: { input: number; output: number };
  costUsd: number;
  error?: string;
}

function batchJob(items: number, env: Record<string, string> = {}): Job {
  const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ...env } });
  writeFileSync(join(job.workspace, 'label.prompt.yml'), PROMPT);
  const lines = Array.from({ length: items }, (_, n) =>
    n % 2 === 0 ? JSON.stringify({ id: `issue-${n}`, variables: { title: `title-${n}` } }) : `{"title": "title-${n}"}`,
  );
  writeFileSync(join(job.workspace, 'items.jsonl'), `${lines.join('\n')}\n`);
  return job;
}

function results(job: Job): ResultLine[] {
  const path = join(job.workspace, 'items.results.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as ResultLine);
}

/** The item a request was for, from its rendered prompt. */
function itemOf(body: { messages: unknown[] }): string | undefined {
  return /title-\d+/.exec(JSON.stringify(body.messages))?.[0];
}

describe('run-prompt batch-file through its bundle', () => {
  let api: AnthropicApi;
  before(async () => {
    // Three in flight at most: a pool of eight meets 429s with retry-after at once.
    api = await startAnthropicApi({ latencyMs: 20, concurrencyLimit: 3, retryAfterMs: 50 });
    api.setDefault(textReply('bug'));
  });
  after(async () => {
    await api.close();
  });

  test('every item runs once through the core despite a 429 burst; the record totals every call', async () => {
    const job = batchJob(30);
    const first = api.requests.length;
    const limitedBefore = api.load.rateLimited;
    const started = await job.uses('actions/record-run', { name: 'batch', artifact: 'false' });
    const step = await job.uses(ACTION, {
      'prompt-file': 'label.prompt.yml',
      'batch-file': 'items.jsonl',
      input: 'repo: octo/app',
      'batch-concurrency': '8',
      'base-url': api.url,
    });
    ok(step);
    await job.complete();
    assert.ok(api.load.rateLimited > limitedBefore, 'the fake answered 429s');
    assert.match(step.stdout, /rate limited: the pool halved its concurrency/);
    assert.deepEqual(step.outputs['batch-items'], '30');
    assert.deepEqual(step.outputs['batch-ok'], '30');
    assert.deepEqual(step.outputs['batch-failed'], '0');
    assert.deepEqual(step.outputs['batch-skipped'], '0');
    assert.equal(step.outputs['batch-results-file'], join(job.workspace, 'items.results.jsonl'));
    const lines = results(job);
    assert.equal(lines.length, 30);
    assert.deepEqual(new Set(lines.map((line) => line.id)).size, 30);
    assert.ok(lines.some((line) => line.id === 'issue-0') && lines.some((line) => line.id === 'line-2'));
    for (const line of lines) {
      assert.equal(line.status, 'ok');
      assert.equal(line.outputs.text, 'bug');
      assert.ok(line.tokens.input > 0 && line.costUsd > 0);
    }
    // One answered request per item; the base `input` variables reach every item.
    const answered = api.requests.slice(first).filter((request) => request.status === 200);
    assert.equal(answered.length, 30);
    assert.equal(new Set(answered.map((request) => itemOf(request.body))).size, 30);
    assert.ok(answered.every((request) => JSON.stringify(request.body.messages).includes('octo/app')));
    const record = JSON.parse(
      readFileSync(join(job.workspace, '.autostack', 'runs', `${started.outputs['run-id'] ?? ''}.json`), 'utf8'),
    ) as { totals: { modelCalls: number; inputTokens: number }; steps: Array<{ outputSummary?: string }> };
    assert.equal(record.totals.modelCalls, 30);
    assert.equal(record.totals.inputTokens, Number(step.outputs['input-tokens']));
    assert.ok(record.steps.some((entry) => /30 item\(s\): 30 ok, 0 failed/.test(entry.outputSummary ?? '')));
    assert.doesNotMatch(visibleLog(step), new RegExp(API_KEY));
    assert.doesNotMatch(readFileSync(join(job.workspace, 'items.results.jsonl'), 'utf8'), new RegExp(API_KEY));
  });

  test('killed halfway and run again: nothing lost, nothing done twice', async () => {
    const job = batchJob(60);
    const inputs = {
      'prompt-file': 'label.prompt.yml',
      'batch-file': 'items.jsonl',
      input: 'repo: octo/app',
      'batch-concurrency': '3',
      'base-url': api.url,
    };
    const running = job.startUses(ACTION, inputs);
    let exited = false;
    void running.done.then(() => (exited = true));
    while (results(job).length < 20 && !exited) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(exited, false, 'the batch was still running when killed');
    running.child.kill('SIGKILL');
    const killed = await running.done;
    assert.equal(killed.signal, 'SIGKILL');
    const atKill = results(job).length;
    assert.ok(atKill < 60, `killed before the end (${atKill} lines)`);
    const resumed = await job.uses(ACTION, inputs);
    ok(resumed);
    assert.equal(resumed.outputs['batch-skipped'], String(atKill));
    assert.equal(Number(resumed.outputs['batch-ok']), 60 - atKill);
    const lines = results(job);
    assert.equal(lines.length, 60, 'one line per item');
    assert.equal(new Set(lines.map((line) => line.id)).size, 60);
    assert.ok(lines.every((line) => line.status === 'ok'));
  });

  test('a failed item fails the step, and a re-run retries only it', async () => {
    const job = batchJob(4);
    api.enqueue(errorReply(400, 'invalid_request_error', 'prompt is too long'));
    const inputs = {
      'prompt-file': 'label.prompt.yml',
      'batch-file': 'items.jsonl',
      input: 'repo: octo/app',
      'batch-concurrency': '1',
      'base-url': api.url,
    };
    const first = await job.uses(ACTION, inputs);
    assert.match(failed(first), /1 of 4 batch item\(s\) failed.*First: 'issue-0': The Anthropic API returned 400/);
    assert.equal(first.outputs['batch-failed'], '1');
    const failedLine = results(job).find((line) => line.status === 'error');
    assert.equal(failedLine?.id, 'issue-0');
    assert.match(failedLine?.error ?? '', /prompt is too long/);

    const second = await job.uses(ACTION, inputs);
    ok(second);
    assert.equal(second.outputs['batch-skipped'], '3');
    assert.equal(second.outputs['batch-ok'], '1');
    const lines = results(job);
    assert.equal(lines.length, 4);
    assert.ok(lines.every((line) => line.status === 'ok'));

    const tolerant = batchJob(2);
    api.enqueue(errorReply(400, 'invalid_request_error', 'prompt is too long'));
    ok(await tolerant.uses(ACTION, { ...inputs, 'batch-fail-on-error': 'false' }));
  });

  test('when the first items all fail the same way, the rest are not started', async () => {
    const job = batchJob(12);
    const before = api.requests.length;
    // No `repo` variable: every item would fail to render.
    const step = await job.uses(ACTION, {
      'prompt-file': 'label.prompt.yml',
      'batch-file': 'items.jsonl',
      'batch-concurrency': '1',
      'base-url': api.url,
    });
    assert.match(
      failed(step),
      /stopped after its first 5 item\(s\) all failed; 7 were not run\. First: 'issue-0': .*no variable 'repo' was given/,
    );
    assert.equal(results(job).length, 5);
    assert.equal(api.requests.length, before, 'nothing was sent');
  });

  test('a bad line is one error naming file and line, before any call', async () => {
    const job = batchJob(2);
    writeFileSync(join(job.workspace, 'items.jsonl'), '{"id": "a", "variables": {"title": "x"}}\n{"title": nope}\n');
    const before = api.requests.length;
    const step = await job.uses(ACTION, {
      'prompt-file': 'label.prompt.yml',
      'batch-file': 'items.jsonl',
      'base-url': api.url,
    });
    assert.match(failed(step), /Input 'batch-file' names items\.jsonl, whose line 2 is not valid JSON/);
    assert.equal(api.requests.length, before);
    const outside = await job.uses(ACTION, { 'prompt-file': 'label.prompt.yml', 'batch-file': '/etc/hostname' });
    assert.match(failed(outside), /Input 'batch-file' names \/etc\/hostname, which resolves outside the workspace/);
  });

  test('the CLI runs the same batch with --batch', async () => {
    const job = batchJob(5);
    const args = [
      'run-prompt',
      '--prompt-file',
      'label.prompt.yml',
      '--batch',
      'items.jsonl',
      '--batch-results-file',
      'out/results.jsonl',
      '--base-url',
      api.url,
      '--input',
      'repo: octo/app',
    ];
    const step = await job.cli(args, { AUTOSTACK_JOURNAL: '' });
    ok(step);
    const outputs = JSON.parse(step.stdout) as Record<string, string>;
    assert.equal(outputs['batch-ok'], '5');
    const lines = readFileSync(join(job.workspace, 'out', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 5);
    const again = await job.cli(args);
    ok(again);
    assert.equal((JSON.parse(again.stdout) as Record<string, string>)['batch-skipped'], '5');
  });
});
