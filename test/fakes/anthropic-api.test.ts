import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
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
  type FakeStopReason,
} from './anthropic-api.js';

const MODEL = 'claude-test-model';

async function setup(
  t: TestContext,
  opts: { maxRetries?: number; timeout?: number } = {},
): Promise<{ api: AnthropicApi; client: Anthropic }> {
  const api = await startAnthropicApi();
  t.after(() => api.close());
  const client = new Anthropic({
    apiKey: 'sk-test',
    baseURL: api.url,
    maxRetries: opts.maxRetries ?? 2,
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
  });
  return { api, client };
}

const userMsg = (text: string): Anthropic.MessageParam => ({ role: 'user', content: text });

test('non-streamed text message', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(
    textReply('Hello there', {
      usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 7, cache_creation_input_tokens: 5 },
    }),
  );
  const msg = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [userMsg('hi')] });
  assert.match(msg.id, /^msg_/);
  assert.equal(msg.type, 'message');
  assert.equal(msg.role, 'assistant');
  assert.equal(msg.model, MODEL);
  assert.equal(msg.stop_reason, 'end_turn');
  assert.deepEqual(msg.content, [{ type: 'text', text: 'Hello there' }]);
  assert.equal(msg.usage.input_tokens, 12);
  assert.equal(msg.usage.output_tokens, 3);
  assert.equal(msg.usage.cache_read_input_tokens, 7);
  assert.equal(msg.usage.cache_creation_input_tokens, 5);
  assert.match(msg._request_id ?? '', /^req_/);

  assert.equal(api.requests.length, 1);
  const logged = api.requests[0]!;
  // SDK 1.13 sends apiKey as `Authorization: Bearer <key>` (not x-api-key).
  assert.equal(logged.headers['authorization'], 'Bearer sk-test');
  assert.ok(logged.headers['anthropic-version']);
  assert.equal(logged.headers['x-stainless-retry-count'], '0');
  assert.equal(logged.body.model, MODEL);
  assert.equal(logged.body.max_tokens, 100);
  assert.notEqual(logged.body.stream, true);
});

test('default reply when the queue is empty, and setDefault', async (t) => {
  const { api, client } = await setup(t);
  const first = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('a')] });
  assert.deepEqual(first.content, [{ type: 'text', text: 'OK' }]);
  api.setDefault(textReply('changed'));
  const second = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('b')] });
  assert.deepEqual(second.content, [{ type: 'text', text: 'changed' }]);
  assert.equal(api.pending(), 0);
});

test('streamed text via messages.stream().finalMessage()', async (t) => {
  const { api, client } = await setup(t);
  const text = 'The quick brown fox jumps over the lazy dog.';
  api.enqueue(textReply(text, { chunkSize: 5, usage: { output_tokens: 11, cache_read_input_tokens: 4 } }));
  const stream = client.messages.stream({ model: MODEL, max_tokens: 100, messages: [userMsg('go')] });
  const deltas: string[] = [];
  stream.on('text', (delta) => deltas.push(delta));
  const msg = await stream.finalMessage();
  assert.equal(deltas.length, Math.ceil(text.length / 5));
  assert.equal(deltas.join(''), text);
  assert.match(msg.id, /^msg_/);
  assert.equal(msg.model, MODEL);
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(msg.content.length, 1);
  const block = msg.content[0]!;
  assert.equal(block.type, 'text');
  assert.equal(block.type === 'text' ? block.text : '', text);
  assert.equal(msg.usage.output_tokens, 11);
  assert.equal(msg.usage.cache_read_input_tokens, 4);
  assert.match(stream.request_id ?? '', /^req_/);
  assert.equal(api.requests[0]?.body.stream, true);
});

test('raw stream: create({stream:true}) yields the documented event sequence', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(toolUseReply('lookup', { q: 'x' }, { preamble: 'Let me check.', chunkSize: 4 }));
  const stream = await client.messages.create({ model: MODEL, max_tokens: 50, messages: [userMsg('q')], stream: true });
  const types: string[] = [];
  for await (const ev of stream) types.push(ev.type === 'content_block_delta' ? `delta:${ev.delta.type}` : ev.type);
  // ping is swallowed by the SDK; deltas collapsed for the comparison
  const collapsed = types.filter((ty, i) => !(ty.startsWith('delta:') && types[i - 1] === ty));
  assert.deepEqual(collapsed, [
    'message_start',
    'content_block_start',
    'delta:text_delta',
    'content_block_stop',
    'content_block_start',
    'delta:input_json_delta',
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
  assert.equal(api.requests.length, 1);
});

test('tool_use round trip (non-streamed, then streamed)', async (t) => {
  const { api, client } = await setup(t);
  const input = { path: 'src/index.ts', lines: [1, 2, 3], nested: { ok: true } };
  api.enqueue(toolUseReply('read_file', input, { toolUseId: 'toolu_fixed1' }), textReply('File read.'));

  const tools: Anthropic.Tool[] = [
    {
      name: 'read_file',
      description: 'Read a file',
      input_schema: { type: 'object', properties: { path: { type: 'string' } } },
    },
  ];
  const first = await client.messages.create({ model: MODEL, max_tokens: 100, tools, messages: [userMsg('read it')] });
  assert.equal(first.stop_reason, 'tool_use');
  const toolBlock = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
  assert.ok(toolBlock);
  assert.equal(toolBlock.id, 'toolu_fixed1');
  assert.equal(toolBlock.name, 'read_file');
  assert.deepEqual(toolBlock.input, input);

  const second = await client.messages.create({
    model: MODEL,
    max_tokens: 100,
    tools,
    messages: [
      userMsg('read it'),
      {
        role: 'assistant',
        content: first.content.map((b) =>
          b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: b.input } : b,
        ) as Anthropic.ContentBlockParam[],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolBlock.id, content: 'contents' }] },
    ],
  });
  assert.deepEqual(second.content, [{ type: 'text', text: 'File read.' }]);
  assert.equal(api.requests.length, 2);
  assert.deepEqual(api.requests[1]?.body.messages[2], {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: 'toolu_fixed1', content: 'contents' }],
  });
  assert.equal((api.requests[1]?.body.tools ?? []).length, 1);

  // Streamed: input arrives as input_json_delta fragments and is reassembled by the SDK.
  api.enqueue(toolUseReply('read_file', input, { preamble: 'Reading…', chunkSize: 3 }));
  const jsonFragments: string[] = [];
  const stream = client.messages.stream({ model: MODEL, max_tokens: 100, tools, messages: [userMsg('again')] });
  stream.on('inputJson', (partial) => jsonFragments.push(partial));
  const streamed = await stream.finalMessage();
  assert.equal(streamed.stop_reason, 'tool_use');
  assert.equal(streamed.content.length, 2);
  const streamedTool = streamed.content[1];
  assert.ok(streamedTool && streamedTool.type === 'tool_use');
  assert.match(streamedTool.id, /^toolu_/);
  assert.deepEqual(streamedTool.input, input);
  assert.ok(jsonFragments.length > 3);
});

test('every stop_reason round-trips, streamed and not', async (t) => {
  const { api, client } = await setup(t);
  const reasons: FakeStopReason[] = [
    'end_turn',
    'max_tokens',
    'stop_sequence',
    'tool_use',
    'pause_turn',
    'refusal',
    'model_context_window_exceeded',
  ];
  for (const reason of reasons) {
    api.enqueue(textReply('x', { stop_reason: reason }), textReply('x', { stop_reason: reason }));
    const params = { model: MODEL, max_tokens: 10, messages: [userMsg('s')], stop_sequences: ['END'] };
    const plain = await client.messages.create(params);
    const streamed = await client.messages.stream(params).finalMessage();
    assert.equal(plain.stop_reason, reason);
    assert.equal(streamed.stop_reason, reason);
    const expectedSeq = reason === 'stop_sequence' ? 'END' : null;
    assert.equal(plain.stop_sequence, expectedSeq);
    assert.equal(streamed.stop_sequence, expectedSeq);
  }
});

test('429 with retry-after-ms is retried by the SDK', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(
    errorReply(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', { 'retry-after-ms': '10' }),
    textReply('after retry'),
  );
  const started = Date.now();
  const msg = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('r')] });
  assert.deepEqual(msg.content, [{ type: 'text', text: 'after retry' }]);
  assert.equal(api.requests.length, 2);
  assert.equal(api.requests[0]?.headers['x-stainless-retry-count'], '0');
  assert.equal(api.requests[1]?.headers['x-stainless-retry-count'], '1');
  assert.ok(Date.now() - started < 400, 'retry-after-ms should override the 0.5 s default backoff');
});

test('529 overloaded is retried; x-should-retry:false stops a retry; retries run out', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(errorReply(529, 'overloaded_error', 'Overloaded', { 'retry-after-ms': '5' }), textReply('ok'));
  await client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('a')] });
  assert.equal(api.requests.length, 2);

  api.enqueue(errorReply(500, 'api_error', 'Internal server error', { 'x-should-retry': 'false' }));
  await assert.rejects(
    client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('b')] }),
    (err: unknown) => {
      assert.ok(err instanceof Anthropic.InternalServerError);
      assert.equal(err.type, 'api_error');
      return true;
    },
  );
  assert.equal(api.requests.length, 3);

  const ms = { 'retry-after-ms': '1' };
  api.enqueue(...[1, 2, 3].map(() => errorReply(503, 'api_error', 'unavailable', ms)));
  await assert.rejects(
    client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('c')] }),
    Anthropic.InternalServerError,
  );
  assert.equal(api.requests.length, 6, '1 try + maxRetries (2)');
});

test('400 is not retried and surfaces the error body', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(errorReply(400, 'invalid_request_error', 'messages: roles must alternate'), textReply('never'));
  await assert.rejects(
    client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('x')] }),
    (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError);
      assert.equal(err.status, 400);
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.apiMessage, 'messages: roles must alternate');
      assert.match(err.requestID ?? '', /^req_/);
      assert.deepEqual(err.error, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'messages: roles must alternate' },
        request_id: err.requestID,
      });
      return true;
    },
  );
  assert.equal(api.requests.length, 1);
  assert.equal(api.pending(), 1);
});

test('mid-stream error surfaces from the stream and is NOT retried by the SDK', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(streamErrorReply('overloaded_error', 'Overloaded', 'partial '), textReply('would be the retry'));
  const stream = client.messages.stream({ model: MODEL, max_tokens: 10, messages: [userMsg('m')] });
  const deltas: string[] = [];
  stream.on('text', (d) => deltas.push(d));
  await assert.rejects(stream.finalMessage(), (err: unknown) => {
    assert.ok(err instanceof Anthropic.APIError);
    assert.equal(err.status, undefined, 'HTTP status was 200; the error came in the SSE body');
    assert.equal(err.type, 'overloaded_error');
    assert.equal(err.apiMessage, 'Overloaded');
    return true;
  });
  assert.deepEqual(deltas, ['partial ']);
  assert.equal(api.requests.length, 1, 'the SDK did not retry');
  assert.equal(api.pending(), 1);
});

test('connection reset is retried', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(resetReply(), textReply('survived'));
  const msg = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('r')] });
  assert.deepEqual(msg.content, [{ type: 'text', text: 'survived' }]);
  assert.equal(api.requests.length, 2);

  api.enqueue(resetReply());
  const noRetry = new Anthropic({ apiKey: 'sk-test', baseURL: api.url, maxRetries: 0 });
  await assert.rejects(
    noRetry.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('r')] }),
    Anthropic.APIConnectionError,
  );
});

test('slow reply trips the client timeout, and the retry succeeds', async (t) => {
  const { api, client } = await setup(t, { timeout: 100, maxRetries: 0 });
  api.enqueue(slowReply(1_000));
  await assert.rejects(
    client.messages.create({ model: MODEL, max_tokens: 10, messages: [userMsg('s')] }),
    Anthropic.APIConnectionTimeoutError,
  );
  api.enqueue(slowReply(1_000), slowReply(10, textReply('fast enough')));
  const msg = await client.messages.create(
    { model: MODEL, max_tokens: 10, messages: [userMsg('s')] },
    { maxRetries: 1 },
  );
  assert.deepEqual(msg.content, [{ type: 'text', text: 'fast enough' }]);
  assert.equal(api.requests.length, 3);
});

test('output_config json_schema is sent as-is; count_tokens answers', async (t) => {
  const { api, client } = await setup(t);
  const schema = {
    type: 'object',
    properties: { answer: { type: 'number' } },
    required: ['answer'],
    additionalProperties: false,
  };
  api.enqueue(textReply('{"answer":4}'));
  const msg = await client.messages.create({
    model: MODEL,
    max_tokens: 10,
    messages: [userMsg('2+2?')],
    output_config: { format: { type: 'json_schema', schema } },
  });
  const block = msg.content[0];
  assert.ok(block && block.type === 'text');
  assert.deepEqual(JSON.parse(block.text), { answer: 4 });
  assert.deepEqual(api.requests[0]?.body.output_config, { format: { type: 'json_schema', schema } });
  assert.equal(api.requests[0]?.headers['anthropic-beta'], undefined, 'no beta header needed');

  const count = await client.messages.countTokens({ model: MODEL, messages: [userMsg('count me')] });
  assert.ok(count.input_tokens > 0);
  assert.equal(api.countTokensRequests.length, 1);
  assert.equal(api.requests.length, 1);
});

test('messageReply with mixed blocks and explicit model/id', async (t) => {
  const { api, client } = await setup(t);
  api.enqueue(
    messageReply(
      [
        { type: 'text', text: 'two tools' },
        { type: 'tool_use', id: 'toolu_a', name: 'a', input: {} },
        { type: 'tool_use', id: 'toolu_b', name: 'b', input: { n: 1 } },
      ],
      { model: 'claude-other', id: 'msg_fixed' },
    ),
  );
  const msg = await client.messages.stream({ model: MODEL, max_tokens: 10, messages: [userMsg('x')] }).finalMessage();
  assert.equal(msg.id, 'msg_fixed');
  assert.equal(msg.model, 'claude-other');
  assert.deepEqual(
    msg.content.map((b) => (b.type === 'tool_use' ? [b.id, b.input] : b.type)),
    ['text', ['toolu_a', {}], ['toolu_b', { n: 1 }]],
  );
});

test('sampling parameters sent to a model that takes none get a 400, consuming no scripted reply', async (t) => {
  const { api, client } = await setup(t, { maxRetries: 0 });
  api.enqueue(textReply('kept'));
  await assert.rejects(
    client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 10,
      messages: [userMsg('hi')],
      temperature: 0.2,
    } as Anthropic.MessageCreateParamsNonStreaming),
    (error: unknown) =>
      error instanceof Anthropic.BadRequestError &&
      /`temperature` is deprecated for this model/.test(String((error as Error).message)),
  );
  assert.equal(api.pending(), 1);
  const older = await client.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 10,
    messages: [userMsg('hi')],
    temperature: 0.2,
  } as Anthropic.MessageCreateParamsNonStreaming);
  assert.equal(older.content[0]?.type === 'text' ? older.content[0].text : '', 'kept');
});
