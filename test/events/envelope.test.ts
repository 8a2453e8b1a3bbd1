import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  cloudEventSchema,
  createEvent,
  defaultIdempotencyKey,
  eventReference,
  HopLimitError,
  parseStreamEntry,
  parentEventFromPayload,
  streamEntryFields,
} from '../../src/events/envelope.js';
import { parseEventData } from '../../src/events/event-data.js';
import { InputError } from '../../src/shared/errors.js';
import { readGitHubContext } from '../../src/io/github-context.js';
import { withRunnerEnv } from '../harness/github-env.js';

const base = {
  type: 'com.example.triaged',
  source: 'https://github.com/octo/app',
  workflowRunId: '4242',
  step: 'triage/emit',
};

describe('envelope', () => {
  test('createEvent builds a valid CloudEvent with the extension attributes', () => {
    const event = createEvent({
      ...base,
      data: { label: 'bug' },
      subject: 'issues/12',
      runId: 'R1',
      time: new Date('2026-01-01T00:00:00Z'),
    });
    assert.equal(event.specversion, '1.0');
    assert.equal(event.time, '2026-01-01T00:00:00.000Z');
    assert.equal(event.datacontenttype, 'application/json');
    assert.deepEqual(event.data, { label: 'bug' });
    assert.equal(event.autostackrunid, 'R1');
    assert.equal(event.autostackhop, 0);
    assert.match(event.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.match(event.idempotencykey, /^4242:triage\/emit:[0-9a-f]{16}$/);
    assert.ok(cloudEventSchema.safeParse(event).success);
  });

  test('id and key are deterministic, independent of time and attempt, and change with the payload', () => {
    const a = createEvent({ ...base, data: { x: 1, y: 2 }, time: new Date(1) });
    const b = createEvent({ ...base, data: { y: 2, x: 1 }, time: new Date(2) });
    const c = createEvent({ ...base, data: { x: 2 } });
    assert.equal(a.id, b.id);
    assert.equal(a.idempotencykey, b.idempotencykey);
    assert.equal(a.traceparent, b.traceparent);
    assert.notEqual(a.id, c.id);
    assert.equal(
      createEvent({ ...base, idempotencyKey: 'k-1' }).id,
      createEvent({ ...base, data: 'other', idempotencyKey: 'k-1' }).id,
    );
    assert.equal(defaultIdempotencyKey({ ...base, data: 1 }), defaultIdempotencyKey({ ...base, data: 1 }));
  });

  test('parseEventData takes YAML or JSON and names the input on bad text', async () => {
    assert.deepEqual(await parseEventData('{"a": [1, 2]}'), { a: [1, 2] });
    assert.deepEqual(await parseEventData('a: 1\nb: [x]\n'), { a: 1, b: ['x'] });
    assert.deepEqual(await parseEventData('n: 1\nref: v1.2\nok: true\n'), { n: 1, ref: 'v1.2', ok: true });
    assert.equal(await parseEventData('  '), undefined);
    await assert.rejects(
      () => parseEventData('a: 1\na: 2\n'),
      (error: unknown) => error instanceof InputError && /'data'.*line/.test(error.message),
    );
    // JSON.parse would keep the last "a"; YAML refuses the repeat, and so does the JSON path.
    await assert.rejects(() => parseEventData('{"a": 1, "a": 2}'), /'data'.*not valid YAML or JSON/);
    await assert.rejects(() => parseEventData('{"a": '), InputError);
  });

  test('a bad idempotency key is refused', () => {
    assert.throws(() => createEvent({ ...base, idempotencyKey: 'has space' }), /'idempotency-key'/);
  });

  test('a child event continues hop and trace from its parent and the chain is bounded', () => {
    const parent = createEvent({ ...base, runId: 'PARENT' });
    const child = createEvent({ ...base, workflowRunId: '99', parent });
    assert.equal(child.autostackhop, 1);
    assert.equal(child.traceparent?.split('-')[1], parent.traceparent?.split('-')[1]);
    assert.notEqual(child.traceparent?.split('-')[2], parent.traceparent?.split('-')[2]);
    const deep = { ...parent, autostackhop: 3 };
    assert.throws(
      () => createEvent({ ...base, parent: deep, maxHops: 3 }),
      (error: unknown) => error instanceof HopLimitError && /hop 4.*limit of 3.*max-hops.*PARENT/s.test(error.message),
    );
  });

  test('the parent event is found in the GitHub context of a repository_dispatch or workflow_dispatch', () => {
    const parent = createEvent({ ...base, runId: 'PARENT' });
    const dir = tempDir('autostack-envelope-');
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify({ action: 'x', client_payload: { autostack: parent } }));
    const parentOf = () =>
      parentEventFromPayload(withRunnerEnv({ GITHUB_EVENT_PATH: path }, readGitHubContext).payload);
    assert.deepEqual(parentOf(), parent);
    writeFileSync(path, JSON.stringify({ inputs: { 'autostack-event': JSON.stringify(parent) } }));
    assert.equal(parentOf()?.id, parent.id);
    writeFileSync(path, JSON.stringify({ client_payload: { autostack: { nope: 1 } } }));
    assert.equal(parentOf(), undefined);
  });

  test('stream entry fields round-trip and a reference keeps the attributes', () => {
    const event = createEvent({ ...base, data: { big: 'x' } });
    const fields = streamEntryFields(event);
    assert.deepEqual([fields[0], fields[2], fields[4], fields[6]], ['event', 'type', 'id', 'idempotencykey']);
    assert.deepEqual(parseStreamEntry(fields), event);
    const reference = eventReference(event, { stream: 's', entryId: '1-0' });
    assert.equal(reference.id, event.id);
    assert.deepEqual(reference.data, { autostackref: { stream: 's', entry: '1-0' } });
  });
});

describe('record-run trigger from an autostack event', () => {
  test('a run started by repository_dispatch records its parent run, event, hop and trace', async () => {
    const { readTrigger } = await import('../../src/runs/context.js');
    const parent = createEvent({ ...base, runId: 'PARENT-RUN' });
    const dir = tempDir('autostack-trigger-');
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify({ action: parent.type, client_payload: { autostack: parent } }));
    const trigger = readTrigger(
      withRunnerEnv({ GITHUB_EVENT_NAME: 'repository_dispatch', GITHUB_EVENT_PATH: path }, readGitHubContext),
    );
    assert.deepEqual(
      {
        parentRunId: trigger.parentRunId,
        eventId: trigger.eventId,
        hop: trigger.hop,
        traceparent: trigger.traceparent,
        eventType: trigger.eventType,
      },
      {
        parentRunId: 'PARENT-RUN',
        eventId: parent.id,
        hop: 0,
        traceparent: parent.traceparent,
        eventType: parent.type,
      },
    );
  });
});
