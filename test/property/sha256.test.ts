// The hand-written SHA-256 of the start paths (sha256-light.ts) gives node:crypto's digests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { fc } from './settings.js';
import { lightSha256Hex } from '../../src/shared/sha256-light.js';

const native = (text: string) => createHash('sha256').update(text).digest('hex');

test('lightSha256Hex matches node:crypto around every padding edge and on multi-byte UTF-8', () => {
  // 55/56/64 bytes are where the length field moves to a second block; é is two bytes, 𝄞 four.
  for (let length = 0; length < 200; length++) {
    for (const unit of ['a', 'é', '€', '𝄞'])
      assert.equal(lightSha256Hex(unit.repeat(length)), native(unit.repeat(length)));
  }
  // Lone surrogates are encoded as U+FFFD by both.
  for (const text of ['\ud800', 'a\udc00b', '\udfff\ud800']) assert.equal(lightSha256Hex(text), native(text));
  assert.equal(lightSha256Hex('x'.repeat(200_000)), native('x'.repeat(200_000)));
  assert.equal(lightSha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('lightSha256Hex matches node:crypto on any text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) =>
      assert.equal(lightSha256Hex(text), native(text)),
    ),
    { numRuns: 1000 },
  );
});
