import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costUsd, maxCostUsd, priceFor } from '../../src/ai/prices.js';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

test('dated, aliased and cloud ids resolve to their family price', () => {
  assert.equal(priceFor('claude-haiku-4-5-20251001')?.input, 1);
  assert.equal(priceFor('claude-haiku-4-5@20251001')?.input, 1);
  assert.equal(priceFor('us.anthropic.claude-opus-4-6-v1')?.input, 5);
  assert.equal(priceFor('anthropic.claude-haiku-4-5-20251001-v1:0')?.output, 5);
  assert.equal(priceFor('claude-opus-4-20250514')?.input, 15);
  assert.equal(priceFor('claude-opus-4-1-20250805')?.input, 15);
  assert.equal(priceFor('claude-opus-4-5-20251101')?.input, 5);
  assert.equal(priceFor('claude-3-7-sonnet-latest')?.cacheRead, 0.3);
  assert.equal(priceFor('claude-3-5-haiku-20241022')?.input, 0.8);
  assert.equal(priceFor('claude-3-haiku-20240307')?.cacheWrite, 0.3);
  assert.equal(priceFor('claude-sonnet-4-6[1m]')?.input, 3);
});

test('a newer minor version does not inherit an older price', () => {
  assert.equal(priceFor('claude-opus-4-9'), undefined);
  assert.equal(priceFor('claude-sonnet-4-7'), undefined);
  assert.equal(priceFor('claude-test-model'), undefined);
  assert.equal(costUsd('claude-opus-4-9', usage(1_000_000, 1_000_000)), 0);
});

test('cost adds input, output, cache reads and writes at their rates', () => {
  // Opus 4.6: 5 / 25 / 6.25 / 0.50
  assert.equal(costUsd('claude-opus-4-6', usage(1_000_000, 1_000_000, 1_000_000, 1_000_000)), 5 + 25 + 0.5 + 6.25);
  // 1-hour cache writes cost twice the input rate.
  assert.equal(
    costUsd('claude-opus-4-6', { ...usage(0, 0, 0, 1_000_000), cacheWrite1hTokens: 400_000 }),
    0.6 * 6.25 + 0.4 * 10,
  );
});

test('long prompts move the whole request to the long-prompt rates', () => {
  // Sonnet 4.5 over 200K prompt tokens: 6 / 22.50.
  assert.equal(costUsd('claude-sonnet-4-5', usage(150_000, 1_000)), (150_000 * 3 + 1_000 * 15) / 1e6);
  assert.equal(
    costUsd('claude-sonnet-4-5', usage(150_000, 1_000, 60_000)),
    (150_000 * 6 + 1_000 * 22.5 + 60_000 * 0.6) / 1e6,
  );
});

test('maxCostUsd is a pessimistic pre-call estimate', () => {
  assert.equal(maxCostUsd('claude-haiku-4-5', 1_000_000, 1_000_000), 1.25 + 5);
  assert.equal(maxCostUsd('claude-unknown-1', 10, 10), undefined);
});
