import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listRuns, showRun } from '../../src/cli/runs-commands.js';
import { UserError } from '../../src/shared/errors.js';
import { writeLocalRecord } from '../../src/runs/store.js';
import { recordProblem } from '../../src/runs/stored-records.js';

const root = mkdtempSync(join(tmpdir(), 'autostack-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a record is written atomically: no temporary file is left, and a failed write leaves no partial record', () => {
  const directory = join(root, 'ok');
  writeLocalRecord(directory, 'r1', '{"a":1}\n');
  assert.deepEqual(readdirSync(directory), ['r1.json']);
  // A directory where the record's own name is taken by a directory: the rename fails.
  const blocked = join(root, 'blocked');
  writeLocalRecord(blocked, 'old', '{}\n');
  writeLocalRecord(join(blocked, 'r2.json'), 'inner', '{}\n');
  assert.throws(() => writeLocalRecord(blocked, 'r2', '{"b":2}\n'));
  assert.deepEqual(readdirSync(blocked).sort(), ['old.json', 'r2.json'], 'no temporary file left behind');
  chmodSync(blocked, 0o700);
});

test('runs show and runs list report a corrupt record as corrupt; a run id is never a path', () => {
  const directory = join(root, 'corrupt');
  writeLocalRecord(directory, 'bad', '{"runId": "bad", "trunc');
  writeLocalRecord(directory, 'wrong', '{"hello": 1}\n');
  assert.equal(recordProblem('{"x'), 'not valid JSON (truncated write?)');
  assert.match(recordProblem('{}') ?? '', /^not a run record: /);
  assert.throws(
    () => showRun(directory, 'bad'),
    (error: unknown) => error instanceof UserError && /is corrupt: not valid JSON/.test(error.message),
  );
  assert.throws(
    () => showRun(directory, 'wrong'),
    (error: unknown) => error instanceof UserError && /is corrupt: not a run record/.test(error.message),
  );
  assert.throws(
    () => showRun(directory, '../../etc/passwd'),
    (error: unknown) => error instanceof UserError && /^Argument '<run-id>' must be a run id/.test(error.message),
  );
  const listing = listRuns(directory, {}).stdout;
  assert.match(listing, /corrupt: .*bad\.json/);
  assert.match(listing, /corrupt: .*wrong\.json/);
  // --json keeps stdout a clean array and names the corrupt records on stderr.
  const json = listRuns(directory, { json: true });
  assert.deepEqual(JSON.parse(json.stdout), []);
  assert.match(json.note ?? '', /corrupt: .*bad\.json is not in the list/);
  assert.match(json.note ?? '', /corrupt: .*wrong\.json is not in the list/);
});
