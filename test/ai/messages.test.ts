import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptsSamplingParameters } from '../../src/ai/messages.js';

test('sampling parameters: taken up to the 4.6 models, refused from Opus 4.7 on', () => {
  for (const model of [
    'claude-sonnet-4-6',
    'claude-opus-4-6',
    'claude-haiku-4-5-20251001',
    'claude-sonnet-4-5',
    'claude-3-5-sonnet-20241022',
    'claude-3-opus',
    'us.anthropic.claude-sonnet-4-6-v1',
    'some-gateway-model',
  ]) {
    assert.equal(acceptsSamplingParameters(model), true, model);
  }
  for (const model of [
    'claude-opus-4-7',
    'claude-opus-4-8',
    'claude-sonnet-5',
    'claude-sonnet-5-5',
    'claude-opus-5-5',
    'claude-fable-5',
    'claude-haiku-5-5',
  ]) {
    assert.equal(acceptsSamplingParameters(model), false, model);
  }
});
