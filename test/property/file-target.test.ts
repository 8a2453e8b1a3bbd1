import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from './settings.js';
import { appendPosition, findKeyInBytes, findKeyInText } from '../../src/events/file-target.js';

// Keys as targets meet them: plain ones, ones that JSON escapes ("\), non-ASCII and U+FFFD (what a
// broken UTF-8 sequence decodes to), a key inside another key, and arbitrary strings.
const keys = fc.oneof(
  fc.constantFrom('k-1', 'k-10', 'cold-3', 'a"b', 'a\\b', 'ké', '\ufffd', 'x\ud800', 'tab\tkey', '1', 'data'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

// One line of an events file: an event with some key (its data may mention another key), a torn
// event (a writer killed mid-line), blank or carriage-return lines, or arbitrary bytes.
const line = fc.oneof(
  fc
    .tuple(keys, fc.option(keys, { nil: undefined }))
    .map(([key, mentioned]) => JSON.stringify({ id: 'e', idempotencykey: key, data: mentioned ?? null })),
  fc.tuple(keys, fc.nat(60)).map(([key, cut]) => JSON.stringify({ idempotencykey: key, data: { n: 1 } }).slice(0, cut)),
  fc.constantFrom('', '\r', ' ', '{}', 'null', '{"idempotencykey":1}'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const lineBytes = fc.oneof(
  { weight: 4, arbitrary: line.map((text) => Buffer.from(text, 'utf8')) },
  // Invalid UTF-8 next to the key's bytes: a lone lead byte, a stray continuation, a BOM.
  {
    weight: 1,
    arbitrary: fc
      .tuple(line, fc.constantFrom([0xe2], [0x80], [0xf0, 0x9f], [0xef, 0xbb, 0xbf], [0xc3]), fc.boolean())
      .map(([text, raw, before]) =>
        before
          ? Buffer.concat([Buffer.from(raw), Buffer.from(text, 'utf8')])
          : Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(raw)]),
      ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
);
const file = fc
  .tuple(fc.array(lineBytes, { maxLength: 12 }), fc.boolean())
  .map(([lines, trailing]) =>
    Buffer.concat(
      lines.flatMap((bytes, index) => (index < lines.length - 1 || trailing ? [bytes, Buffer.from('\n')] : [bytes])),
    ),
  );

test('the byte scan finds the same line as parsing the decoded file, for every key', () => {
  fc.assert(
    fc.property(file, keys, (bytes, key) => {
      assert.equal(findKeyInBytes(bytes, key), findKeyInText(bytes.toString('utf8'), key));
    }),
  );
});

/** What the scan must answer, by definition: the first line that parses to an event with this key. */
function parsedLine(text: string, key: string): number | undefined {
  const index = text.split('\n').findIndex((raw) => {
    try {
      return (JSON.parse(raw) as { idempotencykey?: unknown }).idempotencykey === key;
    } catch {
      return false;
    }
  });
  return index === -1 ? undefined : index + 1;
}

test('an event written by the target is found on its line, whatever its key and the rest of the file', () => {
  fc.assert(
    fc.property(file, keys, file, (before, key, after) => {
      const separator = before.length > 0 && before[before.length - 1] !== 0x0a ? '\n' : '';
      const bytes = Buffer.concat([
        before,
        Buffer.from(`${separator}${JSON.stringify({ idempotencykey: key })}\n`),
        after,
      ]);
      const expected = parsedLine(bytes.toString('utf8'), key);
      assert.ok(expected !== undefined);
      assert.equal(findKeyInBytes(bytes, key), expected);
      assert.equal(findKeyInText(bytes.toString('utf8'), key), expected);
    }),
  );
});

test('an appended event lands on the line the decoded text says', () => {
  fc.assert(
    fc.property(file, (bytes) => {
      const text = bytes.toString('utf8');
      const prefix = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
      assert.deepEqual(appendPosition(bytes), { prefix, line: (text + prefix).split('\n').length });
    }),
  );
});
