import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from './settings.js';
import {
  cloudEventSchema,
  createEvent,
  parseStreamEntry,
  streamEntryFields,
  type CreateEventOptions,
} from '../../src/events/envelope.js';
import { UserError } from '../../src/shared/errors.js';

// Attribute text as users and batch files send it: printable, control characters, C1 controls,
// lone surrogates (which UTF-8 storage such as Redis would turn into U+FFFD), noncharacters.
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 12 }),
  fc.constantFrom('com.example.issue.triaged', 'issue/42', 'a\nb', '::error::x', ' ', '\u0085', '\ud800', '\ufffe'),
);
const oneLineAttribute = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9.]{0,20}$/), hostile);
const data = fc.option(
  fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  { nil: undefined },
);

const options: fc.Arbitrary<CreateEventOptions> = fc.record({
  type: oneLineAttribute,
  source: fc.oneof(fc.constant('https://github.com/octo-org/octo-repo'), oneLineAttribute),
  subject: fc.option(oneLineAttribute, { nil: undefined }),
  data,
  workflowRunId: fc.oneof(fc.constant('4242'), fc.string({ maxLength: 10 })),
  step: fc.oneof(fc.constant('triage/emit'), fc.string({ maxLength: 20 })),
  idempotencyKey: fc.option(oneLineAttribute, { nil: undefined }),
  time: fc.constant(new Date('2026-12-02T12:00:00Z')),
});

/** C0 and C1 controls, lone surrogates and noncharacters: never allowed in a CloudEvents String. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\p{Cs}\p{Noncharacter_Code_Point}]/u;

function attempt(input: CreateEventOptions): { event?: ReturnType<typeof createEvent>; error?: unknown } {
  try {
    return { event: createEvent(input) };
  } catch (error) {
    return { error };
  }
}

test('createEvent refuses with one UserError, or builds an event that validates and survives the stream entry', () => {
  fc.assert(
    fc.property(options, (input) => {
      const { event, error } = attempt(input);
      if (error !== undefined) {
        assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
        assert.ok(!error.message.includes('\n'), `one line: ${JSON.stringify(error.message)}`);
        return;
      }
      assert.ok(event);
      assert.deepStrictEqual(cloudEventSchema.parse(event), event);
      // What a consumer reads back: the fields as Redis hands them over, through UTF-8.
      const fields = streamEntryFields(event).map((field) => Buffer.from(field, 'utf8').toString('utf8'));
      assert.deepStrictEqual(parseStreamEntry(fields), event);
    }),
  );
});

test('control characters are never accepted in one-line attributes (type, source, subject, idempotency key)', () => {
  fc.assert(
    fc.property(
      options,
      fc.constantFrom('type', 'source', 'subject', 'idempotencyKey'),
      hostile,
      (input, attribute, bad) => {
        fc.pre(FORBIDDEN.test(bad));
        const { event, error } = attempt({ ...input, [attribute]: bad });
        assert.equal(event, undefined, `accepted ${attribute} ${JSON.stringify(bad)}`);
        assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
      },
    ),
  );
});
