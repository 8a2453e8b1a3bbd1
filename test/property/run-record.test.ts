import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fc } from './settings.js';
import { showRun } from '../../src/cli/runs-commands.js';
import { aggregateRuns } from '../../src/history/aggregate.js';
import { readStoredRun } from '../../src/history/records.js';
import { explainRun } from '../../src/history/why.js';
import { foldRecord } from '../../src/runs/record.js';
import { serializeRecord } from '../../src/runs/store.js';
import { listLocalRecords, recordProblem } from '../../src/runs/stored-records.js';
import { UserError } from '../../src/shared/errors.js';

const RUN_ID = '20261202T120000Z-0123456789ab';
const ts = (second: number) => `2026-12-02T12:00:${String(second).padStart(2, '0')}.000Z`;
const base = { v: 1 as const, run: RUN_ID };

/** A real record, folded from a journal with one event of each kind. */
const valid = JSON.parse(
  serializeRecord(
    foldRecord({
      runId: RUN_ID,
      name: 'triage',
      journalPath: '.autostack/journal.jsonl',
      events: [
        { ...base, ts: ts(0), type: 'run.started', name: 'triage' },
        { ...base, ts: ts(1), type: 'step.started', step: 'ask', name: 'Ask Claude', action: 'run-prompt' },
        {
          ...base,
          ts: ts(2),
          type: 'model.call',
          step: 'ask',
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          inputTokens: 10,
          outputTokens: 5,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: 0.001,
          latencyMs: 300,
          retries: 0,
          cacheHit: false,
        },
        { ...base, ts: ts(3), type: 'tool.call', step: 'ask', tool: 'read_file', input: {}, durationMs: 4 },
        { ...base, ts: ts(4), type: 'system.touched', system: 'redis', target: 's', operation: 'publish', id: 'x' },
        { ...base, ts: ts(5), type: 'log', level: 'error', message: 'boom', data: { promptVersion: 'v1' } },
        { ...base, ts: ts(6), type: 'human.intervention', who: 'ada', what: 'approved' },
        { ...base, ts: ts(7), type: 'output', name: 'label', value: 'bug' },
        { ...base, ts: ts(8), type: 'step.finished', step: 'ask', status: 'failure', error: 'boom' },
      ],
      corrupt: [],
      github: { repository: 'octo-org/octo-repo', runId: '4242', runAttempt: '2', serverUrl: 'https://github.com' },
      trigger: { event: 'repository_dispatch', parentRunId: 'parent-1', eventType: 'issue.opened' },
      startedAt: ts(0),
      endedAt: ts(9),
    }),
  ),
) as Record<string, unknown>;

const anyJson = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** The valid record with some fields replaced by arbitrary JSON, some nested fields too. */
const damaged = fc
  .record({
    top: fc.dictionary(fc.constantFrom(...Object.keys(valid)), anyJson, { maxKeys: 4 }),
    nested: fc.dictionary(
      fc.constantFrom('steps.0', 'totals', 'events.1', 'events.5', 'trigger', 'github', 'interventions', 'errors.0'),
      anyJson,
      { maxKeys: 2 },
    ),
  })
  .map(({ top, nested }) => {
    const record = structuredClone(valid);
    Object.assign(record, top);
    for (const [path, value] of Object.entries(nested)) {
      const [key, index] = path.split('.') as [string, string | undefined];
      const holder = record[key];
      if (index === undefined) record[key] = value;
      else if (Array.isArray(holder)) holder[Number(index)] = value;
    }
    return JSON.stringify(record, null, 2);
  });

const validText = JSON.stringify(valid, null, 2);
const truncated = fc.nat({ max: validText.length - 1 }).map((cut) => validText.slice(0, cut));

const recordText = fc.oneof(
  damaged,
  truncated,
  anyJson.map((value) => JSON.stringify(value)),
  fc.string(),
);

const root = mkdtempSync(join(tmpdir(), 'autostack-property-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

/** A runs directory holding the texts as record files (the first named after RUN_ID). */
function directoryWith(texts: string[]): { directory: string; files: string[] } {
  const directory = join(root, String(++folders));
  const files = texts.map((text, index) => join(directory, index === 0 ? `${RUN_ID}.json` : `run-${index}.json`));
  mkdirSync(directory);
  texts.forEach((text, index) => writeFileSync(files[index] as string, text));
  return { directory, files };
}

/** Runs `body`; a UserError is the corrupt report, anything else thrown is the bug. */
function userErrorOr<T>(body: () => T): T | UserError {
  try {
    return body();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

test('the valid record is read as a record everywhere', () => {
  const text = JSON.stringify(valid);
  assert.equal(recordProblem(text), undefined);
  const { directory, files } = directoryWith([text]);
  assert.equal(listLocalRecords(directory).records.length, 1);
  assert.match(showRun(directory, RUN_ID), /triage/);
  assert.equal(aggregateRuns(files).unreadable, 0);
  assert.match(explainRun(files, RUN_ID), /boom/);
});

test('any text is either a record or reported as corrupt: runs list, runs show, the history and runs why never crash', () => {
  fc.assert(
    fc.property(fc.array(recordText, { minLength: 1, maxLength: 3 }), (texts) => {
      for (const text of texts) {
        const problem = recordProblem(text);
        assert.ok(problem === undefined || typeof problem === 'string');
      }
      const { directory, files } = directoryWith(texts);
      const listed = listLocalRecords(directory);
      assert.equal(listed.records.length + listed.unreadable.length, texts.length);
      // The first file is a record exactly when recordProblem says so; otherwise show says corrupt.
      const shown = userErrorOr(() => showRun(directory, RUN_ID));
      // (A record of the minimal shape whose steps or events are not what the timeline reads is
      // refused by `runs show` with "not an autostack run record": a corrupt report too.)
      if (recordProblem(texts[0] as string) !== undefined)
        assert.ok(shown instanceof UserError && /is corrupt/.test(shown.message), String(shown));
      else if (shown instanceof UserError) assert.match(shown.message, /not an autostack run record/);
      else assert.match(shown, /20261202T120000Z-0123456789ab|triage|Run /);
      const totals = aggregateRuns(files);
      assert.equal(totals.runs + totals.unreadable, texts.length);
      for (const file of files) readStoredRun(file);
      userErrorOr(() => explainRun(files, RUN_ID));
    }),
  );
});
