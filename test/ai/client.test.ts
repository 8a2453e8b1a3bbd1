import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callModel, supportsStructuredOutput } from '../../src/ai/client.js';
import { ModelError } from '../../src/ai/errors.js';
import {
  errorReply,
  resetReply,
  slowReply,
  streamErrorReply,
  textReply,
  toolUseReply,
} from '../fakes/anthropic-api.js';
import { API_KEY, request, rig, user } from './helpers.js';

function isModelError(kind: ModelError['kind'], check: (err: ModelError) => void = () => undefined) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ModelError, `expected ModelError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.ok(!err.message.includes(API_KEY), 'the API key never appears in an error');
    check(err);
    return true;
  };
}

test('a streamed call returns text, usage, list-price cost and the request id', async (t) => {
  const { api, call, sleeps } = await rig(t);
  api.enqueue(
    textReply('Hello there', {
      usage: {
        input_tokens: 1000,
        output_tokens: 200,
        cache_read_input_tokens: 4000,
        cache_creation_input_tokens: 800,
      },
    }),
  );
  const res = await call(request({ system: 'Be brief.', stopSequences: ['END'], temperature: 0.2, topP: 0.9 }));
  assert.equal(res.text, 'Hello there');
  assert.equal(res.stopReason, 'end_turn');
  assert.deepEqual(res.usage, {
    inputTokens: 1000,
    outputTokens: 200,
    cacheReadTokens: 4000,
    cacheWriteTokens: 800,
    cacheWrite1hTokens: 0,
  });
  // Sonnet 4.6: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million.
  const expected = (1000 * 3 + 200 * 15 + 800 * 3.75 + 4000 * 0.3) / 1e6;
  assert.ok(Math.abs(res.costUsd - expected) < 1e-12, `${res.costUsd} vs ${expected}`);
  assert.equal(res.costKnown, true);
  assert.equal(res.attempts, 1);
  assert.equal(res.retries, 0);
  assert.match(res.requestId ?? '', /^req_/);
  assert.ok(res.latencyMs >= 0);
  assert.deepEqual(sleeps, []);

  const sent = api.requests[0]!;
  assert.equal(sent.body.stream, true);
  assert.equal(sent.headers['authorization'], `Bearer ${API_KEY}`);
  assert.equal(sent.headers['x-stainless-retry-count'], '0');
  assert.equal(sent.body.system, 'Be brief.');
  assert.deepEqual(sent.body.stop_sequences, ['END']);
  assert.equal(sent.body.temperature, 0.2);
  assert.equal(sent.body.top_p, 0.9);
  assert.equal(sent.body.max_tokens, 256);
  assert.equal(sent.body.output_config, undefined);
  assert.equal(sent.body.tools, undefined);
});

test('outputSchema becomes output_config.format on models that support it, and is dropped elsewhere', async (t) => {
  const { api, call, log } = await rig(t);
  const schema = {
    type: 'object',
    properties: { n: { type: 'number' } },
    required: ['n'],
    additionalProperties: false,
  };
  api.enqueue(textReply('{"n":1}'), textReply('{"n":1}'));
  await call(request({ model: 'claude-opus-4-6', outputSchema: schema }));
  assert.deepEqual(api.requests[0]?.body.output_config, { format: { type: 'json_schema', schema } });
  assert.equal(api.requests[0]?.headers['anthropic-beta'], undefined);

  await call(request({ model: 'claude-3-5-haiku-20241022', outputSchema: schema }));
  assert.equal(api.requests[1]?.body.output_config, undefined);
  assert.match(log.text(), /does not support structured output/);
});

test('supportsStructuredOutput: 4.5 and later, not 4.0/4.1 or 3.x', () => {
  for (const id of [
    'claude-sonnet-4-5',
    'claude-sonnet-4-5-20250929',
    'claude-haiku-4-5@20251001',
    'claude-opus-4-6',
    'claude-sonnet-5',
    'claude-opus-5-5',
    'us.anthropic.claude-opus-4-6-v1',
  ]) {
    assert.equal(supportsStructuredOutput(id), true, id);
  }
  for (const id of [
    'claude-opus-4-20250514',
    'claude-opus-4-1',
    'claude-sonnet-4-0',
    'claude-3-7-sonnet-latest',
    'claude-test-model',
    'gpt-4o',
  ]) {
    assert.equal(supportsStructuredOutput(id), false, id);
  }
});

test('429 with retry-after-ms waits as asked, then succeeds', async (t) => {
  const { api, call, sleeps, log } = await rig(t);
  api.enqueue(
    errorReply(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', { 'retry-after-ms': '10' }),
    textReply('after'),
  );
  const res = await call(request());
  assert.equal(res.text, 'after');
  assert.equal(api.requests.length, 2);
  assert.deepEqual(sleeps, [10]);
  assert.equal(res.attempts, 2);
  assert.equal(res.retries, 1);
  assert.match(log.text(), /429 rate_limit_error.*Retrying in 0\.01 s \(attempt 2 of 5\)/);
});

test('retry-after in seconds is honoured', async (t) => {
  const { api, call, sleeps } = await rig(t);
  api.enqueue(errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after': '2' }), textReply('ok'));
  await call(request());
  assert.deepEqual(sleeps, [2000]);
});

test('529 overloaded is retried with backoff', async (t) => {
  const { api, call, sleeps } = await rig(t, { backoff: (n) => 100 * (n + 1) });
  api.enqueue(
    errorReply(529, 'overloaded_error', 'Overloaded'),
    errorReply(529, 'overloaded_error', 'Overloaded'),
    textReply('ok'),
  );
  const res = await call(request());
  assert.equal(res.text, 'ok');
  assert.equal(api.requests.length, 3);
  assert.deepEqual(sleeps, [100, 200]);
});

test('500 twice, then success', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(
    errorReply(500, 'api_error', 'Internal server error'),
    errorReply(500, 'api_error', 'Internal server error'),
    textReply('third time'),
  );
  const res = await call(request());
  assert.equal(res.text, 'third time');
  assert.equal(res.attempts, 3);
  assert.equal(api.requests.length, 3);
});

test('408 and 409 are retried', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(
    errorReply(408, 'timeout_error', 'Request timeout'),
    errorReply(409, 'api_error', 'Conflict'),
    textReply('ok'),
  );
  assert.equal((await call(request())).attempts, 3);
});

test('a connection reset is retried', async (t) => {
  const { api, call, log } = await rig(t);
  api.enqueue(resetReply(), textReply('survived'));
  const res = await call(request());
  assert.equal(res.text, 'survived');
  assert.equal(api.requests.length, 2);
  assert.match(log.text(), /Could not reach the Anthropic API/);
});

test('a mid-stream error before any output is retried', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(streamErrorReply('overloaded_error', 'Overloaded'), textReply('second try'));
  const res = await call(request());
  assert.equal(res.text, 'second try');
  assert.equal(api.requests.length, 2);
  assert.equal(res.retries, 1);
});

test('a mid-stream error after output started fails without a retry', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(streamErrorReply('overloaded_error', 'Overloaded', 'partial '), textReply('never'));
  await assert.rejects(
    call(request()),
    isModelError('overloaded', (err) => {
      assert.match(err.message, /after the reply had started/);
      assert.equal(err.retryable, false);
    }),
  );
  assert.equal(api.requests.length, 1);
});

test('400 fails at once with the API message, type and request id', async (t) => {
  const { api, call, sleeps } = await rig(t);
  api.enqueue(errorReply(400, 'invalid_request_error', 'messages: roles must alternate'), textReply('never'));
  await assert.rejects(
    call(request()),
    isModelError('invalid_request', (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.apiType, 'invalid_request_error');
      assert.equal(err.apiMessage, 'messages: roles must alternate');
      assert.match(err.requestId ?? '', /^req_/);
      assert.match(err.message, /400 invalid_request_error: messages: roles must alternate \(request id req_\w+\)/);
      assert.equal(err.attempts, 1);
    }),
  );
  assert.equal(api.requests.length, 1);
  assert.equal(api.pending(), 1);
  assert.deepEqual(sleeps, []);
});

test('401 names the problem and never the key', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(errorReply(401, 'authentication_error', `invalid x-api-key ${API_KEY}`));
  await assert.rejects(
    call(request()),
    isModelError('authentication', (err) => {
      assert.match(err.message, /401 authentication_error: invalid x-api-key \*\*\*/);
      assert.match(err.message, /Check that the Anthropic API key is set and valid/);
    }),
  );
  assert.equal(api.requests.length, 1);
});

test('other non-transient statuses map to their kinds', async (t) => {
  const { api, call } = await rig(t);
  const cases = [
    [403, 'permission_error', 'permission'],
    [404, 'not_found_error', 'not_found'],
    [413, 'request_too_large', 'invalid_request'],
    [402, 'billing_error', 'permission'],
  ] as const;
  for (const [status, type, kind] of cases) {
    api.enqueue(errorReply(status, type, `${type} happened`));
    await assert.rejects(
      call(request()),
      isModelError(kind, (err) => assert.equal(err.status, status)),
    );
  }
  assert.equal(api.requests.length, cases.length);
});

test('x-should-retry: false stops a retry of a 500', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(errorReply(500, 'api_error', 'do not retry', { 'x-should-retry': 'false' }), textReply('never'));
  await assert.rejects(call(request()), isModelError('api'));
  assert.equal(api.requests.length, 1);
});

test('a retry-after beyond the deadline fails at once, saying so', async (t) => {
  const { api, call, sleeps } = await rig(t, { deadlineMs: 60_000 });
  api.enqueue(errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after': '120' }), textReply('never'));
  await assert.rejects(
    call(request()),
    isModelError('deadline', (err) => {
      assert.match(
        err.message,
        /The API asked to wait 120 s before retrying, beyond what is left of the 60 s deadline/,
      );
      assert.match(err.message, /429 rate_limit_error: slow down/);
      assert.equal(err.status, 429);
      assert.ok(err.cause instanceof ModelError && err.cause.kind === 'rate_limit');
    }),
  );
  assert.equal(api.requests.length, 1);
  assert.deepEqual(sleeps, []);
});

test('the deadline bounds retries and backoff together (fake clock)', async (t) => {
  let clock = 0;
  const { api, call, sleeps } = await rig(t, {
    deadlineMs: 2_500,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    backoff: () => 1_000,
  });
  api.setDefault(errorReply(503, 'api_error', 'unavailable'));
  await assert.rejects(
    call(request()),
    isModelError('deadline', (err) => {
      assert.match(
        err.message,
        /ran out of its 2\.5 s deadline after 3 attempts\. Last error: .*503 api_error: unavailable/,
      );
      assert.equal(err.attempts, 3);
    }),
  );
  assert.deepEqual(sleeps, [1_000, 1_000]);
  assert.equal(api.requests.length, 3);
});

test('a slow response is cut off by the deadline', async (t) => {
  const { api, call } = await rig(t, { deadlineMs: 300, backoff: () => 1_000 });
  api.enqueue(slowReply(3_000, textReply('too late')));
  const started = Date.now();
  await assert.rejects(
    call(request()),
    isModelError('deadline', (err) =>
      assert.match(err.message, /gave no complete response within 0\.3 s|did not answer within 0\.3 s/),
    ),
  );
  assert.ok(Date.now() - started < 2_000, 'did not wait for the slow reply');
  assert.equal(api.requests.length, 1);
});

test('requestTimeoutMs times out one attempt and the retry succeeds', async (t) => {
  const { api, call } = await rig(t, { requestTimeoutMs: 200 });
  api.enqueue(slowReply(3_000), textReply('fast'));
  const res = await call(request());
  assert.equal(res.text, 'fast');
  assert.equal(res.attempts, 2);
});

test('maxAttempts bounds the retries', async (t) => {
  const { api, call } = await rig(t, { maxAttempts: 3 });
  api.setDefault(errorReply(529, 'overloaded_error', 'Overloaded'));
  await assert.rejects(
    call(request()),
    isModelError('overloaded', (err) => {
      assert.match(
        err.message,
        /^Gave up after 3 attempts\. Last error: The Anthropic API returned 529 overloaded_error: Overloaded/,
      );
      assert.equal(err.attempts, 3);
    }),
  );
  assert.equal(api.requests.length, 3);
});

test('an unpriced model costs 0, is flagged, and warns once', async (t) => {
  const { api, call, log } = await rig(t);
  api.enqueue(textReply('a'), textReply('b'));
  const first = await call(request({ model: 'claude-test-unpriced' }));
  await call(request({ model: 'claude-test-unpriced' }));
  assert.equal(first.costUsd, 0);
  assert.equal(first.costKnown, false);
  assert.equal(log.lines.filter((l) => l.level === 'warning').length, 1);
  assert.match(log.text(), /No price is known for model 'claude-test-unpriced'/);
});

test('tools and tool_choice are sent; tool_use content comes back whole', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(toolUseReply('lookup', { q: 'x' }, { preamble: 'Checking.' }));
  const tools = [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object' as const, properties: {} } }];
  const res = await call(request({ tools, toolChoice: { type: 'auto' }, messages: [user('find x')] }));
  assert.equal(res.stopReason, 'tool_use');
  assert.equal(res.text, 'Checking.');
  assert.deepEqual(api.requests[0]?.body.tools, tools);
  assert.deepEqual(api.requests[0]?.body.tool_choice, { type: 'auto' });
});

test('an empty API key is a user error before any request', async () => {
  await assert.rejects(
    callModel(request(), {
      apiKey: '',
      log: { debug() {}, info() {}, notice() {}, warning() {}, error() {}, group: (_t, b) => b(), setSecret() {} },
    }),
    /No Anthropic API key/,
  );
});
