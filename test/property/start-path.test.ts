// What emit-event's start path does without zod, yaml or node:crypto gives the same answers as they do.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { fc } from './settings.js';
import { cloudEventSchema, createEvent, isCloudEvent } from '../../src/events/envelope.js';
import { sha256Hex } from '../../src/shared/sha256.js';
import { plainData } from '../../src/events/event-data.js';

const native = (text: string) => createHash('sha256').update(text).digest('hex');

test('sha256Hex (sha256-light.ts, then node:crypto after its switch) matches node:crypto', () => {
  // Lengths around the 55/56/64-byte padding edges, and multi-byte UTF-8, on both sides of the switch.
  for (let length = 0; length < 140; length++) assert.equal(sha256Hex('é'.repeat(length)), native('é'.repeat(length)));
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => assert.equal(sha256Hex(text), native(text))),
  );
});

const event = createEvent({ type: 'com.example.a', source: 'urn:x', workflowRunId: '1', step: 's', data: { a: 1 } });
const attributeValue = fc.oneof(
  fc.constantFrom(undefined, null, '', ' ', 'ok', 'a b', '\u0085', '\ud800', 0, -1, 1.5, 2 ** 53, [], {}, true),
  fc.constant('00-0123456789abcdef0123456789abcdef-0123456789abcdef-01'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const attributes = [...Object.keys(event), 'time', 'subject', 'dataschema', 'autostackrunid', 'other'];

test('isCloudEvent gives the zod schema’s verdict (envelope.ts) on envelopes with changed attributes', () => {
  assert.ok(isCloudEvent(event));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(...attributes), attributeValue, fc.boolean()), { maxLength: 3 }),
      (changes) => {
        const candidate: Record<string, unknown> = { ...event };
        for (const [name, value, remove] of changes) {
          if (remove) delete candidate[name];
          else candidate[name] = value;
        }
        assert.equal(isCloudEvent(candidate), cloudEventSchema.safeParse(candidate).success);
      },
    ),
  );
  for (const other of [null, [], 'x', 1]) assert.equal(isCloudEvent(other), false);
});

test('data parsed without the YAML parser is what the YAML parser makes of it', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,6}$/);
  const value = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9 _./:#'"-]{1,12}$/),
    fc.integer().map(String),
    fc.constantFrom(
      'true',
      'false',
      'null',
      'TRUE',
      'Null',
      'yes',
      '~',
      '0o7',
      '0x1f',
      '1_000',
      '+1',
      '-0',
      '1e3',
      '.inf',
    ),
  );
  const lines = fc
    .array(fc.tuple(key, value), { minLength: 1, maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${k}: ${v}`).join('\n'));
  const json = fc.jsonValue().map((value) => JSON.stringify(value, null, 1));
  fc.assert(
    fc.property(fc.oneof(lines, json, fc.constant('{"a": 1, "a": 2}')), (text) => {
      const plain = plainData(text);
      if (typeof plain === 'symbol') return; // the YAML parser's to read
      assert.deepStrictEqual(plain, parseYaml(text, { uniqueKeys: true }));
    }),
    { numRuns: 2000 },
  );
});
