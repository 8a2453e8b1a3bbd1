// The start path's hand-made ISO timestamps (shared/iso-time.ts) are Date#toISOString's, to the byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from './settings.js';
import { isoTime } from '../../src/shared/iso-time.js';

test('isoTime(date) is date.toISOString() for every date, the ±YYYYYY years and invalid dates included', () => {
  for (const ms of [
    0, -1, 1, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15,
  ])
    assert.equal(isoTime(new Date(ms)), new Date(ms).toISOString());
  fc.assert(
    fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) =>
      assert.equal(isoTime(new Date(ms)), new Date(ms).toISOString()),
    ),
  );
  assert.throws(() => isoTime(new Date(Number.NaN)), RangeError);
  const now = new Date();
  assert.equal(isoTime(now), now.toISOString());
});
