import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AnthropicApi, startAnthropicApi, textReply } from '../fakes/anthropic-api.js';
import { Job } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

const ACTION = 'actions/run-prompt';
const API_KEY = 'sk-ant-migration-0123456789';

/** A step written for actions/ai-inference, moved to run-prompt: what carries over and what is refused. */
describe('run-prompt for teams leaving actions/ai-inference', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });
  const job = () => new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });

  test("ai-inference's input names and a dotted Claude id work as they did", async () => {
    const step = job();
    writeFileSync(join(step.workspace, 'notes.txt'), 'Fixed the login bug.');
    api.enqueue(textReply('One fix: login.'));
    const before = api.requests.length;
    const result = await step.uses(ACTION, {
      prompt: 'Summarize: {{notes}}',
      file_input: 'notes: notes.txt',
      'max-completion-tokens': '77',
      model: 'anthropic/claude-sonnet-4.5',
      cache: 'false',
    });
    ok(result);
    const body = api.requests[before]?.body as { model: string; max_tokens: number; messages: unknown[] };
    assert.equal(body.model, 'claude-sonnet-4-5');
    assert.equal(body.max_tokens, 77);
    assert.match(JSON.stringify(body.messages), /Summarize: Fixed the login bug\./);
  });

  test('an explicit non-Claude model is refused on one line, before any request', async () => {
    const before = api.requests.length;
    const result = await job().uses(ACTION, { prompt: 'Hi', model: 'openai/gpt-4o', cache: 'false' });
    const error = failed(result);
    assert.match(error, /Input 'model' is 'openai\/gpt-4o', which is not a Claude model/);
    assert.ok(!/\n\s+at /.test(error), 'no stack trace');
    assert.equal(api.requests.length, before, 'nothing sent');
  });

  test('an alias and its own name together are refused', async () => {
    const result = await job().uses(ACTION, { prompt: 'Hi', 'max-tokens': '10', 'max-completion-tokens': '20' });
    assert.match(failed(result), /Input 'max-completion-tokens' is actions\/ai-inference's name for 'max-tokens'/);
  });

  test('response-file-format text: response-file holds the reply text alone, for scripts that cat it', async () => {
    api.enqueue(textReply('Plain answer.'));
    const result = await job().uses(ACTION, { prompt: 'Hi', 'response-file-format': 'text', cache: 'false' });
    ok(result);
    const path = result.outputs['response-file'] ?? '';
    assert.match(path, /\.txt$/);
    assert.equal(readFileSync(path, 'utf8'), 'Plain answer.');
    assert.equal(result.outputs.text, 'Plain answer.');
  });
});
