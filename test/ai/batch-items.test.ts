import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defaultResultsPath, formatResultLine, parseBatchItems, readResultLines } from '../../src/ai/batch-items.js';
import { customIdsFor } from '../../src/ai/message-batches.js';
import { UserError } from '../../src/shared/errors.js';
import { tempDir } from '../harness/temp.js';

describe('batch file format', () => {
  test('wrapped items keep their id; plain objects are line-<n>; blank lines are skipped; values become text', () => {
    const text = [
      '{"id": "issue-1", "variables": {"title": "Crash", "n": 3}}',
      '',
      '{"title": "Slow", "labels": ["a"]}',
      '{"variables": {"title": "No id"}}',
      '',
    ].join('\n');
    assert.deepEqual(parseBatchItems(text, 'items.jsonl'), [
      { id: 'issue-1', line: 1, variables: { title: 'Crash', n: '3' } },
      { id: 'line-3', line: 3, variables: { title: 'Slow', labels: '["a"]' } },
      { id: 'line-4', line: 4, variables: { title: 'No id' } },
    ]);
  });

  test('a bad line is one error naming file:line', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"title": "ok"}\n{not json', /^items\.jsonl:2: not valid JSON/],
      ['[1, 2]', /^items\.jsonl:1: expected a JSON object/],
      ['{"id": 5, "variables": {}}', /^items\.jsonl:1: "id" must be a non-empty string/],
      ['{"id": "a", "variables": []}', /^items\.jsonl:1: "variables" must be a JSON object/],
      ['{"id": "a", "variables": {}, "extra": 1}', /^items\.jsonl:1: unexpected field 'extra'/],
      ['\n\n', /^items\.jsonl: the batch file holds no items/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseBatchItems(text, 'items.jsonl'),
        (error: unknown) => error instanceof UserError && message.test(error.message),
        text,
      );
    }
  });

  test('a duplicate id names both lines', () => {
    const text = '{"id": "a", "variables": {}}\n{"id": "line-3", "variables": {}}\n{"x": 1}';
    assert.throws(
      () => parseBatchItems(text, 'b.jsonl'),
      /^UserError: b\.jsonl:3: id 'line-3' is already used on line 2; ids must be unique\.$/,
    );
  });

  test('results path: items.jsonl → items.results.jsonl', () => {
    assert.equal(defaultResultsPath('data/items.jsonl'), 'data/items.results.jsonl');
    assert.equal(defaultResultsPath('items.txt'), 'items.txt.results.jsonl');
  });

  test('result lines round-trip; a torn last line is skipped', () => {
    const dir = tempDir('autostack-batch-items-');
    try {
      const path = join(dir, 'r.jsonl');
      const line = formatResultLine({
        id: 'a',
        status: 'ok',
        outputs: { text: 'hi' },
        tokens: { input: 3, output: 1 },
        costUsd: 0.5,
      });
      assert.equal(
        line,
        '{"id":"a","status":"ok","outputs":{"text":"hi"},"tokens":{"input":3,"output":1},"costUsd":0.5}',
      );
      writeFileSync(path, `${line}\n{"id":"b","stat`);
      const read = readResultLines(path);
      assert.deepEqual([...read.keys()], ['a']);
      assert.equal(read.get('a')?.status, 'ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('custom_id: valid ids are kept; others map to a stable id-<hash> that collides with nothing', () => {
    const ids = ['issue-1', 'has space', 'ünï', 'x'.repeat(65)];
    const first = customIdsFor(ids);
    assert.equal(first.get('issue-1'), 'issue-1');
    for (const id of ids.slice(1)) assert.match(first.get(id) ?? '', /^id-[0-9a-f]{24}$/);
    assert.equal(new Set(first.values()).size, ids.length);
    assert.deepEqual(customIdsFor(ids), first, 'deterministic');
    const taken = first.get('has space') ?? '';
    const clash = customIdsFor([taken, 'has space']);
    assert.equal(clash.get(taken), taken);
    assert.equal(clash.get('has space'), `${taken}-2`);
  });
});
