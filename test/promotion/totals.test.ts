import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addTotals, noTotals, sumTotals } from '../../src/promotion/totals.js';

test('runs, cases and the gate add their spend one way: tokens exact, dollars to a millionth', () => {
  const run = noTotals();
  addTotals(run, { costUsd: 0.1000001, inputTokens: 12, outputTokens: 3 });
  addTotals(run, { costUsd: 0.2, inputTokens: 8, outputTokens: 7 });
  assert.deepEqual(run, { costUsd: 0.1000001 + 0.2, inputTokens: 20, outputTokens: 10 });
  const total = sumTotals([run, { costUsd: 0.0000001, inputTokens: 1, outputTokens: 1 }]);
  assert.deepEqual(total, { costUsd: 0.3, inputTokens: 21, outputTokens: 11 });
  assert.deepEqual(sumTotals([]), { costUsd: 0, inputTokens: 0, outputTokens: 0 });
  // A result with more fields (a run-prompt result) adds only the three.
  const wide = { costUsd: 1, inputTokens: 2, outputTokens: 3, text: 'hello', cacheHit: true };
  const into = noTotals();
  addTotals(into, wide);
  assert.deepEqual(into, { costUsd: 1, inputTokens: 2, outputTokens: 3 });
});
