import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startAnthropicApi, textReply, type AnthropicApi } from './anthropic-api.js';

const params = { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('the fake Message Batches API, driven by the real SDK', () => {
  let api: AnthropicApi;
  let client: Anthropic;
  before(async () => {
    api = await startAnthropicApi();
    client = new Anthropic({ apiKey: 'sk-test', baseURL: api.url, maxRetries: 0 });
  });
  after(async () => {
    await api.close();
  });

  test('create, in_progress for N polls, ended, then JSON Lines results of every outcome', async () => {
    api.batches.pollsBeforeEnd = 2;
    api.batches.script('b', { type: 'errored', errorType: 'invalid_request_error', message: 'bad request' });
    api.batches.script('c', { type: 'expired' });
    api.batches.script('d', { type: 'canceled' });
    api.batches.script('a', {
      type: 'succeeded',
      reply: textReply('hello', { usage: { input_tokens: 7, output_tokens: 2 } }),
    });
    const created = await client.messages.batches.create({
      requests: ['a', 'b', 'c', 'd'].map((custom_id) => ({ custom_id, params })),
    });
    assert.match(created.id, /^msgbatch_/);
    assert.equal(created.processing_status, 'in_progress');
    assert.equal(created.results_url, null);
    assert.equal((await client.messages.batches.retrieve(created.id)).processing_status, 'in_progress');
    assert.equal((await client.messages.batches.retrieve(created.id)).processing_status, 'in_progress');
    const ended = await client.messages.batches.retrieve(created.id);
    assert.equal(ended.processing_status, 'ended');
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 1, errored: 1, canceled: 1, expired: 1 });
    const results: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
    for await (const entry of await client.messages.batches.results(created.id)) results.push(entry);
    assert.deepEqual(
      results.map((entry) => [entry.custom_id, entry.result.type]),
      [
        ['a', 'succeeded'],
        ['b', 'errored'],
        ['c', 'expired'],
        ['d', 'canceled'],
      ],
    );
    const first = results[0]?.result;
    assert.ok(first?.type === 'succeeded');
    assert.equal(first.message.content[0]?.type === 'text' ? first.message.content[0].text : '', 'hello');
    assert.equal(first.message.usage.input_tokens, 7);
    const second = results[1]?.result;
    assert.ok(second?.type === 'errored');
    assert.equal(second.error.error.message, 'bad request');
    assert.equal(api.batches.creates.length, 1);
  });

  test('results before the batch ends, an unknown batch, and a bad create are API errors', async () => {
    api.batches.pollsBeforeEnd = 5;
    const created = await client.messages.batches.create({ requests: [{ custom_id: 'x', params }] });
    await assert.rejects(client.messages.batches.results(created.id), /No batch `results_url`/);
    await assert.rejects(client.messages.batches.retrieve('msgbatch_nope'), (error: unknown) => {
      return error instanceof Anthropic.NotFoundError;
    });
    await assert.rejects(
      client.messages.batches.create({ requests: [{ custom_id: 'has space', params }] }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /custom_id/.test(error.message),
    );
    await assert.rejects(
      client.messages.batches.create({
        requests: [
          { custom_id: 'x', params },
          { custom_id: 'x', params },
        ],
      }),
      /Duplicate custom_id/,
    );
  });

  test('credentials and anthropic-version are checked like the messages route', async () => {
    const created = await client.messages.batches.create({ requests: [{ custom_id: 'x', params }] });
    const noKey = await fetch(`${api.url}/v1/messages/batches/${created.id}`, {
      headers: { 'anthropic-version': '2023-06-01' },
    });
    assert.equal(noKey.status, 401);
    const noVersion = await fetch(`${api.url}/v1/messages/batches`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ custom_id: 'x', params }] }),
    });
    assert.equal(noVersion.status, 400);
    assert.match(await noVersion.text(), /anthropic-version/);
  });
});
