import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretStopReason } from '../../src/ai/stop-reasons.js';
import { textReply, type FakeStopReason } from '../fakes/anthropic-api.js';
import { request, rig } from './helpers.js';

test('every stop reason from the API has a defined outcome', async (t) => {
  const { api, call } = await rig(t);
  const expected: Record<FakeStopReason, RegExp | 'ok' | 'continue'> = {
    end_turn: 'ok',
    stop_sequence: 'ok',
    tool_use: 'ok',
    pause_turn: 'continue',
    max_tokens: /cut off at max-tokens \(256\).*Raise max-tokens/,
    refusal: /declined/,
    model_context_window_exceeded: /context window/,
  };
  for (const [reason, want] of Object.entries(expected) as [FakeStopReason, RegExp | 'ok' | 'continue'][]) {
    api.enqueue(textReply('x', { stop_reason: reason }));
    const res = await call(request({ stopSequences: ['END'] }));
    assert.equal(res.stopReason, reason);
    const outcome = interpretStopReason(res.stopReason, { maxTokens: 256 });
    if (want === 'ok') assert.deepEqual(outcome, { ok: true, continue: false, truncated: false }, reason);
    else if (want === 'continue') assert.deepEqual(outcome, { ok: true, continue: true }, reason);
    else {
      assert.equal(outcome.ok, false, reason);
      assert.match(outcome.ok ? '' : outcome.message, want);
    }
  }
});

test('max_tokens is accepted as truncated when truncation is allowed', () => {
  assert.deepEqual(interpretStopReason('max_tokens', { allowTruncation: true }), {
    ok: true,
    continue: false,
    truncated: true,
  });
  const strict = interpretStopReason('max_tokens');
  assert.ok(!strict.ok && /Raise max-tokens/.test(strict.message));
});

test('a missing or unknown stop reason is a failure', () => {
  for (const value of [null, undefined, 'something_new']) {
    const outcome = interpretStopReason(value);
    assert.equal(outcome.ok, false, String(value));
  }
  const unknown = interpretStopReason('something_new');
  assert.ok(!unknown.ok && unknown.message.includes("'something_new'"));
});
