import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_CONTROL, URI_REFERENCE } from '../../src/events/cloud-event.js';

// The CloudEvents String rules as Unicode properties: what cloud-event.ts spells out by code point
// (a property class costs about 1 ms of every emit-event start) must accept and refuse the same text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TEXT = /^[^\u0000-\u001f\u007f-\u009f\p{Cs}\p{Noncharacter_Code_Point}]*$/u;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const URI = /^[^\s\u0000-\u001f\u007f-\u009f\p{Cs}\p{Noncharacter_Code_Point}]+$/u;

test('every code point alone is allowed or refused as the Unicode property classes say', () => {
  const differ: string[] = [];
  for (let code = 0; code <= 0x10ffff; code++) {
    const text = String.fromCodePoint(code);
    if (NO_CONTROL.test(text) !== TEXT.test(text) || URI_REFERENCE.test(text) !== URI.test(text))
      differ.push(code.toString(16));
  }
  assert.deepEqual(differ, []);
  assert.equal(NO_CONTROL.test('\ufdd0'), false);
  assert.equal(NO_CONTROL.test('\u{10ffff}'), false);
  assert.equal(URI_REFERENCE.test('https://github.com/octo-org/octo-repo'), true);
});

test('surrogates: a pair is one allowed code point, a lone half is refused wherever it stands', () => {
  for (const text of ['\ud83d\ude00', 'a\ud83d', '\ude00b', '\ud83d\ud83d', 'x\ud83d\ude00y', '\ude00\ud83d', '']) {
    assert.equal(NO_CONTROL.test(text), TEXT.test(text), JSON.stringify(text));
    assert.equal(URI_REFERENCE.test(text), URI.test(text), JSON.stringify(text));
  }
  assert.equal(NO_CONTROL.test('\ud83d\ude00'), true);
  assert.equal(NO_CONTROL.test('a\ud83d'), false);
});
