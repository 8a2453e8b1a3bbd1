import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchEvents, validateBatch } from '../../src/events/batch.js';
import { UserError } from '../../src/shared/errors.js';

const base = { source: 'urn:autostack:test', workflowRunId: 'local', step: 'batch', maxHops: 10 };

/** Writes `lines` to a temp batch file and returns its path; the folder is removed after the test. */
function batchFile(t: { after: (fn: () => void) => void }, lines: string[]): string {
  const directory = mkdtempSync(join(tmpdir(), 'autostack-batch-lines-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'events.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('the hand check of a line refuses what the envelope schema refuses, naming the file and line', async (t) => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ data: 1 }, /:2: type /],
    [{ type: '' }, /:2: type /],
    [{ type: 'a\u0007b' }, /:2: type must not contain control characters/],
    [{ type: 'ok', subject: 'line\nbreak' }, /:2: subject /],
    [{ type: 'ok', subject: null }, /:2: subject /],
    [{ type: 'ok', source: 'has space' }, /:2: source must be a URI-reference/],
    [{ type: 'ok', 'idempotency-key': '' }, /:2: idempotency-key /],
    [{ type: 'ok', 'idempotency-key': 'k', idempotencykey: 5 }, /:2: idempotencykey /],
    [{ type: 'ok', autostackhop: 'x' }, /:2: autostackhop /],
    [{ type: 'ok', 'idempotency-key': 'has space' }, /:2: idempotency-key' must be 1-256 printable ASCII/],
  ];
  for (const [line, message] of bad) {
    const path = batchFile(t, [JSON.stringify({ type: 'fine' }), JSON.stringify(line)]);
    await assert.rejects(validateBatch(path, base), (error: Error) => {
      assert.ok(error instanceof UserError, `${JSON.stringify(line)}: ${error.name}`);
      assert.match(error.message, message, JSON.stringify(line));
      return true;
    });
  }
});

test('usual lines and lines with other attributes become the same envelopes', async (t) => {
  const path = batchFile(t, [
    JSON.stringify({ type: 'a', data: { n: 1 }, subject: 's', 'idempotency-key': 'k-1' }),
    '',
    JSON.stringify({ type: 'b', source: 'urn:other', idempotencykey: 'k-2', datacontenttype: 'application/json' }),
  ]);
  assert.equal(await validateBatch(path, base), 2);
  const events = [];
  for await (const group of batchEvents(path, base)) events.push(...group);
  assert.deepEqual(
    events.map((event) => [event.type, event.source, event.subject, event.idempotencykey, event.data]),
    [
      ['a', base.source, 's', 'k-1', { n: 1 }],
      ['b', 'urn:other', undefined, 'k-2', undefined],
    ],
  );
});
