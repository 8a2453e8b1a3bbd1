// callModel with stream: false, the path a batch's items take: the same retries, errors, deadline
// and pacing as a stream, over whole-fetch.ts against the loopback Messages API fake.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { callModel } from '../../src/ai/client.js';
import { ModelError } from '../../src/ai/errors.js';
import type { CallPacer } from '../../src/ai/types.js';
import { errorReply, gatewayJsonReply, resetReply, slowReply, textReply } from '../fakes/anthropic-api.js';
import { API_KEY, recordingLog, request, rig } from './helpers.js';

function pacerLog(): CallPacer & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    beforeAttempt: async () => void events.push('before'),
    onRateLimited: (ms) => void events.push(`limited ${ms}`),
    onSuccess: () => void events.push('ok'),
  };
}

test('a whole reply: one JSON request, text, usage and request id; a 429 waits retry-after and tells the pacer', async (t) => {
  const pacer = pacerLog();
  const { api, call, sleeps } = await rig(t, { stream: false, pacer, headers: { 'X-Team': 'docs' } });
  api.enqueue(
    errorReply(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', { 'retry-after-ms': '10' }),
    textReply('Hello there', { usage: { input_tokens: 1000, output_tokens: 200 } }),
  );
  const res = await call(request({ system: 'Be brief.' }));
  assert.equal(res.text, 'Hello there');
  assert.equal(res.usage.inputTokens, 1000);
  assert.equal(res.usage.outputTokens, 200);
  assert.ok(res.costKnown && res.costUsd > 0);
  assert.match(res.requestId ?? '', /^req_/);
  assert.equal(res.attempts, 2);
  assert.deepEqual(sleeps, [10]);
  assert.deepEqual(pacer.events, ['before', 'limited 10', 'before', 'ok']);
  const sent = api.requests[1]!;
  assert.notEqual(sent.body.stream, true, 'not streamed');
  assert.equal(sent.body.system, 'Be brief.');
  assert.equal(sent.headers['x-api-key'] ?? sent.headers['authorization']?.replace('Bearer ', ''), API_KEY);
  assert.equal(sent.headers['x-team'], 'docs', 'custom headers are sent');
});

test('a whole reply: a reset connection is retried; a 400 fails at once with the API message and no key', async (t) => {
  const { api, call, log } = await rig(t, { stream: false });
  api.enqueue(resetReply(), textReply('survived'), errorReply(400, 'invalid_request_error', `bad ${API_KEY}`));
  assert.equal((await call(request())).text, 'survived');
  assert.match(log.text(), /Could not reach the Anthropic API/);
  await assert.rejects(call(request()), (error: unknown) => {
    assert.ok(error instanceof ModelError);
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /returned 400 invalid_request_error: bad \*\*\*/);
    return true;
  });
});

test('a whole reply: the deadline cuts off a slow reply; a body that is not a Message is an api error', async (t) => {
  const { api, call } = await rig(t, { stream: false, deadlineMs: 300, backoff: () => 1_000 });
  api.enqueue(slowReply(3_000, textReply('too late')), gatewayJsonReply(textReply('x'), { hello: 'world' }));
  const started = Date.now();
  await assert.rejects(call(request()), (error: unknown) => {
    assert.ok(error instanceof ModelError);
    assert.equal(error.kind, 'deadline', error.message);
    return true;
  });
  assert.ok(Date.now() - started < 2_000, 'did not wait for the slow reply');
  await assert.rejects(call(request()), /answered with JSON that is not a Message: \{"hello":"world"\}/);
});

test('a whole reply: nothing listening is a connection error naming the cause', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const error = await callModel(request(), {
    apiKey: API_KEY,
    baseUrl: `http://127.0.0.1:${port}`,
    log: recordingLog(),
    stream: false,
    maxAttempts: 1,
  }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ModelError);
  assert.equal(error.kind, 'connection');
  assert.match(error.message, /Could not reach the Anthropic API: .*ECONNREFUSED/);
});
