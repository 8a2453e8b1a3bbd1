import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createEvent } from '../../src/events/envelope.js';
import { appendEventToFile, findKeyInFile } from '../../src/events/file-target.js';
import { addToOutbox, findInOutbox, listOutbox, removeFromOutbox } from '../../src/events/outbox.js';

const event = (key: string) =>
  createEvent({ type: 't', source: 's', workflowRunId: '1', step: 'x', idempotencyKey: key, data: { key } });

describe('file target', () => {
  test('appends once per key, also under concurrent writers', async () => {
    const path = join(tempDir('autostack-file-'), 'nested', 'events.jsonl');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendEventToFile(path, event(`k-${i % 5}`))),
    );
    assert.equal(results.filter((result) => !result.duplicate).length, 5);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 5);
    assert.equal(findKeyInFile(path, 'k-3'), lines.findIndex((line) => line.includes('"k-3"')) + 1);
  });

  test('a torn last line is skipped and does not swallow the next event', async () => {
    const dir = tempDir('autostack-file-');
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, `${JSON.stringify(event('a'))}\n{"idempotencykey":"b", "trunc`);
    const added = await appendEventToFile(path, event('b'));
    assert.deepEqual(added, { duplicate: false, line: 3 });
    assert.equal(JSON.parse(readFileSync(path, 'utf8').split('\n')[2] ?? '{}').idempotencykey, 'b');
    assert.equal((await appendEventToFile(path, event('a'))).duplicate, true);
  });

  test('a key that JSON escapes or that is not ASCII is recognised on the repeat', async () => {
    const path = join(tempDir('autostack-file-'), 'events.jsonl');
    // A user's key is printable ASCII (quotes and backslashes included); an envelope kept in the
    // outbox or drained from a batch may carry any key.
    const events = [event('a"b'), event('c\\d'), { ...event('e'), idempotencykey: 'ké' }];
    for (const [index, each] of events.entries()) {
      assert.deepEqual(await appendEventToFile(path, each), { duplicate: false, line: index + 1 });
      assert.deepEqual(await appendEventToFile(path, each), { duplicate: true, line: index + 1 });
    }
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 3);
  });
});

describe('outbox', () => {
  test('keeps one entry per event id and removes it when delivered', async () => {
    const path = join(tempDir('autostack-outbox-'), 'outbox.jsonl');
    const a = event('a');
    await addToOutbox(path, a, ['redis'], 'down');
    await addToOutbox(path, a, ['redis'], 'still down');
    await addToOutbox(path, event('b'), ['repository_dispatch'], 'down');
    appendFileSync(path, '{"torn');
    assert.equal(listOutbox(path).length, 2);
    assert.equal(findInOutbox(path, a.id)?.error, 'still down');
    assert.deepEqual(findInOutbox(path, a.id)?.event, a);
    await removeFromOutbox(path, a.id);
    assert.deepEqual(
      listOutbox(path).map((entry) => entry.event.idempotencykey),
      ['b'],
    );
  });
});
