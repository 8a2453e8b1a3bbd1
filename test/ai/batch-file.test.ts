import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  type BatchResult,
  formatResultLine,
  keepFinishedResults,
  parseBatchFile,
  readBatchResults,
} from '../../src/ai/batch-file.js';
import { defaultResultsPath } from '../../src/actions/run-prompt-batch-inputs.js';
import { tempDir } from '../harness/temp.js';

const ok = (id: string): BatchResult => ({
  id,
  status: 'ok',
  outputs: { text: `reply ${id}` },
  tokens: { input: 10, output: 2 },
  costUsd: 0.0001,
});

describe('batch input file', () => {
  test('takes {id, variables} lines and plain objects of variables, skipping blank lines', () => {
    const text = [
      '{"id": "a", "variables": {"title": "Crash", "labels": ["bug"], "n": 3}}',
      '',
      '   ',
      '{"title": "Slow", "id": "not-an-id-here"}',
      '{"variables": {"title": "Nested"}}',
    ].join('\n');
    const items = parseBatchFile(text, 'items.jsonl');
    assert.deepEqual(items, [
      { id: 'a', line: 1, variables: { title: 'Crash', labels: '["bug"]', n: '3' } },
      // An object with other keys than id and variables is the variables themselves.
      { id: 'line-4', line: 4, variables: { title: 'Slow', id: 'not-an-id-here' } },
      { id: 'line-5', line: 5, variables: { title: 'Nested' } },
    ]);
  });

  test('a bad line is one error naming the file, the line and what is valid', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"id": "a", "variables": {}}\n{"title": oops}', /line 2 is not valid JSON/],
      ['["a"]', /line 1 is an array, not an object/],
      ['"text"', /line 1 is a string, not an object/],
      ['{"id": 7, "variables": {}}', /line 1 has an "id" that is not a non-empty string/],
      ['{"id": "a", "variables": [1]}', /line 1 has "variables" that is not an object/],
    ];
    for (const [text, pattern] of cases) {
      assert.throws(
        () => parseBatchFile(text, 'data/items.jsonl'),
        (error: Error) =>
          error.message.startsWith("Input 'batch-file' names data/items.jsonl, whose line") &&
          pattern.test(error.message) &&
          error.message.includes('{"id": "<string>", "variables": {...}}') &&
          !error.message.includes('\n'),
      );
    }
  });

  test('repeated ids are refused, with both lines', () => {
    assert.throws(
      () =>
        parseBatchFile(
          '{"id": "a", "variables": {}}\n{"id": "b", "variables": {}}\n{"id": "a", "variables": {}}',
          'x.jsonl',
        ),
      /line 3 repeats id 'a' \(first on line 1\)/,
    );
  });

  test('the default results file sits beside the input', () => {
    assert.equal(defaultResultsPath('data/items.jsonl'), 'data/items.results.jsonl');
    assert.equal(defaultResultsPath('items.ndjson'), 'items.results.ndjson');
    assert.equal(defaultResultsPath('items'), 'items.results.jsonl');
  });
});

describe('batch results file', () => {
  test('one line per result, errors kept to one line', () => {
    const line = formatResultLine({ ...ok('a'), status: 'error', outputs: {}, error: 'first\n  second' });
    assert.equal(line.endsWith('\n'), true);
    assert.equal(line.split('\n').length, 2);
    assert.deepEqual(JSON.parse(line), {
      id: 'a',
      status: 'error',
      outputs: {},
      tokens: { input: 10, output: 2 },
      costUsd: 0.0001,
      error: 'first second',
    });
  });

  test('a half-written last line (a killed run) is dropped and cut off the file', () => {
    const path = join(tempDir('batch-results-'), 'r.jsonl');
    const whole = formatResultLine(ok('a')) + formatResultLine({ ...ok('b'), status: 'error', error: 'boom' });
    writeFileSync(path, `${whole}{"id":"c","status":"o`);
    const { results, droppedPartial } = readBatchResults(path);
    assert.equal(droppedPartial, true);
    assert.deepEqual([...results.keys()], ['a', 'b']);
    assert.equal(readFileSync(path, 'utf8'), whole);
  });

  test('a missing file is an empty checkpoint; lines that are not results are ignored', () => {
    const directory = tempDir('batch-results-');
    assert.equal(readBatchResults(join(directory, 'none.jsonl')).results.size, 0);
    const path = join(directory, 'r.jsonl');
    writeFileSync(path, `not json\n{"id": 1}\n${formatResultLine(ok('a'))}`);
    assert.deepEqual([...readBatchResults(path).results.keys()], ['a']);
  });

  test('keepFinishedResults rewrites the file with the given results only', () => {
    const path = join(tempDir('batch-results-'), 'r.jsonl');
    writeFileSync(path, formatResultLine({ ...ok('x'), status: 'error', error: 'e' }) + formatResultLine(ok('a')));
    keepFinishedResults(path, [ok('a')]);
    assert.equal(readFileSync(path, 'utf8'), formatResultLine(ok('a')));
  });
});
