// readJournal checks lines by hand and asks zod only about a line that fails: what it returns must
// be exactly what the schema (journal-schema.ts) makes of each line, down to the order of keys.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fc } from './settings.js';
import { tempDir } from '../harness/temp.js';
import { readJournal } from '../../src/runs/journal-read.js';
import { journalEventSchema } from '../../src/runs/journal-schema.js';

const common = { v: 1, ts: '2026-12-03T00:00:00.000Z', run: 'R1' };
const samples: Array<Record<string, unknown>> = [
  { ...common, type: 'run.started', name: 'n', github: { sha: 'a' }, trigger: { event: 'push' } },
  { ...common, type: 'step.started', step: 's1', name: 'emit', action: 'emit-event', inputFingerprint: 'f' },
  { ...common, type: 'step.finished', step: 's1', status: 'success', outputSummary: 'ok' },
  {
    ...common,
    step: 's1',
    type: 'model.call',
    provider: 'p',
    model: 'm',
    inputTokens: 1,
    outputTokens: 2,
    costUsd: 0.1,
    latencyMs: 3,
  },
  { ...common, type: 'tool.call', tool: 't', input: { a: 1 }, output: null, durationMs: 4 },
  {
    ...common,
    step: 's1',
    type: 'system.touched',
    system: 'redis',
    target: 'x',
    operation: 'xadd',
    id: 'i',
    duplicate: false,
  },
  { ...common, type: 'log', level: 'info', message: 'm', data: [1] },
  { ...common, type: 'human.intervention', who: 'w', what: 'x' },
  { ...common, type: 'output', name: 'a', value: 'b' },
  { ...common, type: 'run.cancelled', reason: 'r' },
];
const fieldValue = fc.constantFrom(
  undefined,
  null,
  '',
  'x',
  0,
  -1.5,
  true,
  [],
  {},
  { k: 'v' },
  { k: 1 },
  'success',
  'info',
  'run.started',
  1,
  2,
);

test('readJournal returns what the journal schema parses from each line, or names the line as corrupt', async () => {
  const directory = tempDir('autostack-journal-read-');
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...samples),
        fc.array(
          fc.tuple(
            fc.constantFrom(
              'v',
              'ts',
              'run',
              'step',
              'type',
              'name',
              'status',
              'level',
              'inputTokens',
              'cacheHit',
              'retries',
              'input',
              'github',
              'duplicate',
              'extra',
            ),
            fieldValue,
            fc.boolean(),
          ),
          { maxLength: 2 },
        ),
        async (sample, changes) => {
          const line: Record<string, unknown> = { ...sample };
          for (const [name, value, remove] of changes) {
            if (remove) delete line[name];
            else line[name] = value;
          }
          const path = join(directory, 'journal.jsonl');
          writeFileSync(path, `${JSON.stringify(line)}\n`);
          const { events, corrupt } = await readJournal(path);
          const expected = journalEventSchema.safeParse(JSON.parse(JSON.stringify(line)));
          if (expected.success) {
            assert.equal(JSON.stringify(events), JSON.stringify([expected.data]));
            assert.deepStrictEqual(events, [expected.data]);
          } else assert.equal(corrupt.length, 1);
        },
      ),
      { numRuns: 1000 },
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
