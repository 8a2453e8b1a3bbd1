// The hand check of a prompt file's common shape (prompt-file-fast.ts) agrees with the zod schema:
// whatever it accepts, zod accepts with the same value (keys in the same order); anything else goes to zod.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { fc } from './settings.js';
import { commonPromptFile } from '../../src/prompts/prompt-file-fast.js';
import { promptFileSchema } from '../../src/prompts/prompt-schemas.js';

/** Deep equality and the same key order at every level (zod's order is what the reader iterates). */
function assertSame(actual: unknown, expected: unknown): void {
  assert.deepStrictEqual(actual, expected);
  const keys = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(keys)
      : value !== null && typeof value === 'object'
        ? Object.entries(value).map(([key, item]) => [key, keys(item)])
        : value;
  assert.deepStrictEqual(keys(actual), keys(expected));
}

function agrees(data: Record<string, unknown>): boolean {
  const fast = commonPromptFile(data);
  const zod = promptFileSchema.safeParse(data);
  if (fast === undefined) return false;
  assert.ok(zod.success, `the fast path accepted what zod refuses: ${JSON.stringify(data)}`);
  assertSame(fast, zod.data);
  return true;
}

const scalar = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, 1, -1, 0.5, 1.5, 2, 2.5, 100, 101, 2 ** 53, Infinity, Number.NaN, ''),
  fc.constantFrom(' ', 'x', 'user', 'User', 'SYSTEM', 'assistant', 'tool', 'text', 'json_schema', 'json_object', 'a b'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -3, max: 120 }),
  fc.double({ min: -1, max: 3, noNaN: true }),
);
const value = fc.oneof(
  { depthSize: 'small' },
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'b', 'repeat', 'minPasses'), scalar, { maxKeys: 3 }),
);
/** Mostly a value of the right shape, sometimes anything, so both sides of every check are tried. */
const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 20 }, { arbitrary: value, weight: 1 });
const ABSENT = Symbol('absent');
/** A field left out `absent` times in `absent + present`. */
const maybe = <T>(field: fc.Arbitrary<T>, absent = 1, present = 1) =>
  fc.oneof({ arbitrary: fc.constant(ABSENT), weight: absent }, { arbitrary: field, weight: present });
const role = mostly(fc.constantFrom('user', 'system', 'assistant', 'User', 'ASSISTANT', 'tool'));
const message = mostly(
  fc
    .record({ role, content: mostly(fc.string({ maxLength: 8 })), extra: value }, { requiredKeys: ['role', 'content'] })
    .map(({ extra, ...entry }) => (extra === '' ? { ...entry, extra } : entry)),
);
const modelParameters = mostly(
  fc.record(
    {
      maxTokens: mostly(fc.integer({ min: 0, max: 9000 })),
      maxCompletionTokens: mostly(fc.integer({ min: 0, max: 9 })),
      temperature: mostly(fc.double({ min: -0.1, max: 2.1, noNaN: true })),
      topP: mostly(fc.double({ min: -0.1, max: 1.1, noNaN: true })),
      stop: mostly(fc.oneof(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }))),
      seed: value,
    },
    { requiredKeys: [] },
  ),
);
const jsonSchema = mostly(
  fc.record(
    {
      name: mostly(fc.constantFrom('reply', 'r', '')),
      description: mostly(fc.string({ maxLength: 4 })),
      schema: mostly(fc.oneof(fc.constant({ type: 'object' }), fc.dictionary(fc.string({ maxLength: 3 }), value))),
      strict: mostly(fc.boolean()),
      other: value,
    },
    { requiredKeys: ['name', 'schema'] },
  ),
);
const repeatCount = mostly(fc.integer({ min: 0, max: 102 }));
const testCase = mostly(
  fc.record({ repeat: repeatCount, minPasses: repeatCount, topic: value, b: value }, { requiredKeys: [] }),
);
const promptFile = fc
  .record({
    name: maybe(mostly(fc.constantFrom('triage', ''))),
    description: maybe(mostly(fc.string({ maxLength: 4 }))),
    model: maybe(mostly(fc.constantFrom('claude-sonnet-5-5', 'openai/gpt-4.1', ''))),
    modelParameters: maybe(modelParameters),
    messages: maybe(mostly(fc.array(message, { minLength: 1, maxLength: 3 })), 1, 20),
    responseFormat: maybe(mostly(fc.constantFrom('text', 'json_object', 'json_schema', 'JSON'))),
    jsonSchema: maybe(jsonSchema),
    testData: maybe(mostly(fc.array(testCase, { maxLength: 3 }))),
    evaluators: maybe(value),
    version: maybe(mostly(fc.constantFrom('1.0', ' ', 'v2'))),
    tools: maybe(mostly(fc.array(fc.record({ name: fc.constantFrom('a', 'b') }), { maxLength: 2 })), 9),
    untrusted: maybe(mostly(fc.array(fc.constantFrom('body', 'a b', 'x.y', ''), { maxLength: 3 }))),
    repeat: maybe(repeatCount),
    minPasses: maybe(repeatCount),
    unknownKey: maybe(value),
  })
  .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, item]) => item !== ABSENT)));

test('commonPromptFile accepts only what the zod schema accepts, with the same value and key order', () => {
  let accepted = 0;
  fc.assert(
    fc.property(promptFile, (data) => {
      if (agrees(data)) accepted++;
    }),
    { numRuns: 5000 },
  );
  // Generated files are mostly wrong somewhere; enough of them must take the fast path to mean something.
  assert.ok(accepted > 50, `only ${accepted} generated files took the fast path`);
});

test('the common shape takes the fast path: minimal, full and role-cased files', () => {
  const minimal = { messages: [{ role: 'user', content: 'Hi {{x}}' }] };
  const full = {
    name: 'triage',
    description: 'Labels issues',
    model: 'claude-sonnet-5-5',
    modelParameters: { maxTokens: 500, temperature: 0.2, topP: 1, stop: 'END' },
    messages: [
      { role: 'System', content: 'You label issues.' },
      { role: 'user', content: '{{body}}' },
    ],
    responseFormat: 'json_schema',
    jsonSchema: { name: 'labels', schema: { type: 'object' }, strict: true },
    testData: [{ body: 'crash', expected: 'bug', repeat: 3, minPasses: 2 }],
    evaluators: [{ name: 'is bug', string: { contains: 'bug' } }],
    version: '1.2',
    untrusted: ['body'],
    repeat: 2,
  };
  for (const data of [minimal, full]) assert.ok(agrees(data), JSON.stringify(data));
});

test('every .prompt.yml in the repository that zod reads without tools takes the fast path, to the same value', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (entry.name === 'node_modules' || entry.name === '.git' || entry.name === 'dist') return [];
      const path = join(dir, entry.name);
      return entry.isDirectory() ? files(path) : entry.name.endsWith('.prompt.yml') ? [path] : [];
    });
  const found = files(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  assert.ok(found.length > 0);
  for (const file of found) {
    let data: Record<string, unknown>;
    try {
      data = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (typeof data.jsonSchema === 'string') data.jsonSchema = JSON.parse(data.jsonSchema) as unknown;
    } catch {
      continue; // a fixture of a broken file
    }
    if (promptFileSchema.safeParse(data).success && data.tools === undefined) assert.ok(agrees(data), file);
  }
});
