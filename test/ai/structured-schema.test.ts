import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiSchema } from '../../src/ai/structured-schema.js';
import { messageFromJson } from '../../src/ai/messages.js';
import { gatewayJsonReply, textReply } from '../fakes/anthropic-api.js';
import { request, rig } from './helpers.js';

test('apiSchema: rejected keywords become descriptions, objects are closed, the input is not changed', () => {
  const schema = {
    type: 'object',
    properties: {
      score: { type: 'integer', minimum: 1, maximum: 5 },
      tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, maxItems: 3 },
    },
    required: ['score'],
  };
  const before = JSON.stringify(schema);
  const sent = apiSchema(schema);
  assert.ok('schema' in sent);
  const text = JSON.stringify(sent.schema);
  for (const keyword of ['"minimum"', '"maximum"', '"maxItems"', '"pattern"'])
    assert.ok(!text.includes(keyword), keyword);
  assert.equal(sent.schema.additionalProperties, false);
  assert.match(text, /minimum: 1, maximum: 5/);
  assert.equal(JSON.stringify(schema), before, 'the schema used for local validation is untouched');
});

test('apiSchema: a free-form object or an untyped property is not sent, with the reason', () => {
  const map = apiSchema({
    type: 'object',
    properties: { labels: { type: 'object', additionalProperties: { type: 'string' } } },
  });
  assert.deepEqual(map, {
    reason: 'the schema has a free-form object at /properties/labels, which structured output cannot express',
  });
  const untyped = apiSchema({ type: 'object', properties: { anything: { description: 'any JSON' } } });
  assert.ok('reason' in untyped);
  assert.match(untyped.reason, /cannot be sent as structured output \(JSON schema must have a type defined/);
});

test('messageFromJson: a Message is taken, anything else is not', () => {
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [{ type: 'text', text: 'hi' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 1 },
  };
  assert.equal(messageFromJson(message), message);
  assert.equal(messageFromJson({ ...message, usage: undefined }), undefined);
  assert.equal(messageFromJson({ type: 'error', error: { type: 'api_error', message: 'x' } }), undefined);
  assert.equal(messageFromJson('text'), undefined);
});

test('a JSON Message answering a streaming request is the reply; the schema sent is the transformed one', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(gatewayJsonReply(textReply('{"score":3}')));
  const res = await call(
    request({
      model: 'claude-sonnet-5-5',
      outputSchema: { type: 'object', properties: { score: { type: 'integer', maximum: 5 } }, required: ['score'] },
    }),
  );
  assert.equal(res.text, '{"score":3}');
  assert.equal(res.attempts, 1);
  assert.equal(api.requests.length, 1);
  const sent = JSON.stringify(api.requests[0]?.body.output_config);
  assert.ok(!sent.includes('"maximum"'));
});
