import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { customIdsFor } from '../../src/ai/message-batches.js';

// The batch file and results format is batch-file.ts's (test/ai/batch-file.test.ts); this is what
// the Message Batches API adds: its custom_id rules.
describe('message batch custom ids', () => {
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
