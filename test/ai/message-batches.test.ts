import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runMessageBatches } from '../../src/ai/message-batches.js';
import type { MessageBatchOptions, RunPromptSpec } from '../../src/ai/run-prompt.js';
import { JournaledStep } from '../../src/runs/step.js';
import { UserError } from '../../src/shared/errors.js';
import { startAnthropicApi, textReply, type AnthropicApi } from '../fakes/anthropic-api.js';
import { useTempDir } from '../harness/fixtures.js';
import { API_KEY, recordingLog } from './helpers.js';

/** The core against the loopback fake through the real SDK: the paths a bundle test would wait minutes for. */
async function setup(
  t: TestContext,
): Promise<{ api: AnthropicApi; spec: RunPromptSpec; options: MessageBatchOptions }> {
  const api = await startAnthropicApi();
  t.after(() => api.close());
  const workspace = useTempDir(t, 'autostack-message-batches-');
  writeFileSync(join(workspace, 'items.jsonl'), '{"id":"a","variables":{"w":"x"}}\n{"id":"b","variables":{"w":"y"}}\n');
  api.batches.answer = () => ({ type: 'succeeded', reply: textReply('hi') });
  const spec: RunPromptSpec = {
    prompt: 'Say {{w}}',
    model: 'claude-haiku-4-5',
    variables: {},
    tools: [],
    cache: false,
    allowTruncation: false,
    maxRepairs: 1,
    maxTurns: 10,
    deadlineMs: 60_000,
    provider: 'anthropic',
    record: false,
    apiKey: API_KEY,
    baseUrl: api.url,
    workspace,
    responseDirectory: join(workspace, 'responses'),
    ports: { github: () => Promise.reject(new Error('no GitHub here')) },
  };
  return {
    api,
    spec,
    options: {
      batchFile: 'items.jsonl',
      resultsFile: 'items.results.jsonl',
      timeoutMs: 60_000,
      pollMs: 10,
      failOnError: false,
    },
  };
}

function step(): JournaledStep {
  return new JournaledStep(undefined, 'test', 'run-prompt', undefined, () => undefined);
}

test('past the timeout the step fails, the batch is left running and remembered, and the next run collects it', async (t) => {
  const { api, spec, options } = await setup(t);
  api.batches.pollsBeforeEnd = 1_000_000;
  const waiting = step();
  await assert.rejects(
    runMessageBatches(spec, { ...options, timeoutMs: 50 }, recordingLog(), waiting),
    (error: unknown) =>
      error instanceof UserError &&
      /^Message batch msgbatch_\w+ has not ended after 0 minute\(s\) \(batch-timeout-minutes\)\. It keeps running, and items\.results\.jsonl\.batch\.json remembers it: re-run the job/.test(
        error.message,
      ),
  );
  waiting.finish('failure');
  const statePath = join(spec.workspace, 'items.results.jsonl.batch.json');
  assert.ok(existsSync(statePath));
  const { batchId } = JSON.parse(readFileSync(statePath, 'utf8')) as { batchId: string };

  api.batches.pollsBeforeEnd = 0;
  const log = recordingLog();
  const collecting = step();
  const summary = await runMessageBatches(spec, options, log, collecting);
  collecting.finish('success');
  assert.equal(summary.batchId, batchId);
  assert.equal(summary.ok, 2);
  assert.equal(api.batches.creates.length, 1);
  assert.equal(existsSync(statePath), false);
});

test('a remembered batch the API no longer knows is said and submitted again', async (t) => {
  const { api, spec, options } = await setup(t);
  api.batches.pollsBeforeEnd = 1_000_000;
  const first = step();
  await assert.rejects(runMessageBatches(spec, { ...options, timeoutMs: 20 }, recordingLog(), first));
  first.finish('failure');
  const { batchId } = JSON.parse(readFileSync(join(spec.workspace, 'items.results.jsonl.batch.json'), 'utf8')) as {
    batchId: string;
  };
  api.batches.forget(batchId);
  api.batches.pollsBeforeEnd = 0;
  const log = recordingLog();
  const again = step();
  const summary = await runMessageBatches(spec, options, log, again);
  again.finish('success');
  assert.match(log.text(), new RegExp(`warning: Message batch ${batchId} is no longer known to the API`));
  assert.notEqual(summary.batchId, batchId);
  assert.equal(api.batches.creates.length, 2);
});

test('max-cost-usd bounds the whole batch before anything is submitted; prompts with tools are refused', async (t) => {
  const { api, spec, options } = await setup(t);
  const budget = step();
  await assert.rejects(
    runMessageBatches({ ...spec, maxCostUsd: 0.001, maxTokens: 4000 }, options, recordingLog(), budget),
    /^UserError: Input 'max-cost-usd' \(0\.001\) stops this batch: its 2 requests could cost up to \$0\.0200 at the batch price/,
  );
  budget.finish('failure');
  const tools = step();
  await assert.rejects(
    runMessageBatches({ ...spec, tools: ['github_get_issue'] }, options, recordingLog(), tools),
    /^InputError: Input 'tools' cannot be used with mode: message-batches/,
  );
  tools.finish('failure');
  const replay = step();
  await assert.rejects(
    runMessageBatches({ ...spec, provider: 'replay' }, options, recordingLog(), replay),
    /cannot be used with provider replay/,
  );
  replay.finish('failure');
  assert.equal(api.batches.creates.length, 0);
});
