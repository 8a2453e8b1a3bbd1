import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from './settings.js';
import { fillTemplate, listVariables, renderPrompt } from '../../src/prompts/render.js';
import type { PromptDefinition } from '../../src/prompts/types.js';
import { UserError } from '../../src/shared/errors.js';

// A template is a list of pieces: literal text (no braces, so pieces cannot join into a
// placeholder by accident) and placeholders written with or without spaces.
type Piece = { text: string } | { name: string; before: string; after: string };

const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
const space = fc.constantFrom('', ' ', '  ', '\t', '\n');
const literal = fc.string({ unit: 'binary', maxLength: 20 }).map((text) => text.replace(/[{}]/g, ''));
const piece = (names: fc.Arbitrary<string>): fc.Arbitrary<Piece> =>
  fc.oneof(
    literal.map((text) => ({ text })),
    fc.record({ name: names, before: space, after: space }),
  );
const written = (pieces: Piece[]) =>
  pieces.map((p) => ('text' in p ? p.text : `{{${p.before}${p.name}${p.after}}}`)).join('');
const filled = (pieces: Piece[], values: Record<string, string>) =>
  pieces.map((p) => ('text' in p ? p.text : values[p.name])).join('');

/** Values are hostile: other placeholders, replacement patterns ($&, $1, $$), braces, newlines. */
const value = (names: string[]) =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.constantFrom(...names).map((other) => `{{${other}}}`),
        fc.constantFrom('$&', '$1', '$$', "$'", '$`', '{{', '}}', '{{ }}'),
      ),
      { maxLength: 5 },
    )
    .map((parts) => parts.join(''));

/** Variable names, their (hostile) values and a template that uses only those names. */
const complete = fc.uniqueArray(name, { minLength: 1, maxLength: 5 }).chain((names) =>
  fc.record({
    values: fc.record(Object.fromEntries(names.map((n) => [n, value(names)]))),
    pieces: fc.array(piece(fc.constantFrom(...names)), { maxLength: 12 }),
  }),
);

const where = { label: 'prompt', file: 'p.prompt.yml', line: 3 };

test('output is the template with each placeholder replaced by its value, taken literally', () => {
  fc.assert(
    fc.property(complete, ({ values, pieces }) => {
      assert.equal(fillTemplate(written(pieces), values, where), filled(pieces, values));
    }),
  );
});

test('a value is inserted verbatim and never expanded, even when it holds {{other}}', () => {
  fc.assert(
    fc.property(complete, ({ values, pieces }) => {
      const once = fillTemplate(written(pieces), values, where);
      // Every value survives verbatim where its placeholder stood, even when it holds {{other}}.
      for (const p of pieces) if (!('text' in p)) assert.ok(once.includes(values[p.name] ?? ''));
    }),
  );
});

test('renderPrompt fills every message the same way and joins system messages', () => {
  const role = fc.constantFrom('system', 'user', 'assistant') as fc.Arbitrary<'system' | 'user' | 'assistant'>;
  fc.assert(
    fc.property(
      complete.chain(({ values, pieces }) =>
        fc.record({
          values: fc.constant(values),
          messages: fc.array(
            fc.record({ role, pieces: fc.shuffledSubarray(pieces.length ? pieces : [{ text: 'x' }]) }),
            { minLength: 1, maxLength: 4 },
          ),
        }),
      ),
      ({ values, messages }) => {
        const def = definition(messages.map((m) => ({ role: m.role, content: written(m.pieces) })));
        const rendered = renderPrompt(def, values);
        const systems = messages.filter((m) => m.role === 'system').map((m) => filled(m.pieces, values));
        const expected = messages
          .filter((m) => m.role !== 'system')
          .map((m) => ({ role: m.role, content: filled(m.pieces, values) }));
        assert.deepEqual(
          rendered,
          systems.length ? { system: systems.join('\n\n'), messages: expected } : { messages: expected },
        );
        const used = [...new Set(messages.flatMap((m) => m.pieces.flatMap((p) => ('text' in p ? [] : [p.name]))))];
        assert.deepEqual(listVariables(def), used);
      },
    ),
  );
});

test('an unknown placeholder is reported by name, with the others missing, and nothing is returned', () => {
  fc.assert(
    fc.property(complete, fc.uniqueArray(name, { minLength: 1, maxLength: 3 }), ({ values, pieces }, unknown) => {
      const missing = unknown.filter((n) => !Object.hasOwn(values, n));
      fc.pre(missing.length > 0);
      const template = written([...pieces, ...missing.map((n) => ({ name: n, before: '', after: ' ' }))]);
      let caught: unknown;
      try {
        fillTemplate(template, values, where);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
      assert.ok(caught.message.startsWith('p.prompt.yml:3: prompt uses {{'), caught.message);
      assert.ok(!caught.message.includes('\n'), 'one line');
      for (const n of missing) assert.ok(caught.message.includes(n), `names ${n}: ${caught.message}`);
    }),
  );
});

test('text without a well-formed placeholder passes through unchanged', () => {
  const braces = fc
    .array(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('{{', '}}', '{', '}', '{{ }}', '{{a b}}')),
      {
        maxLength: 8,
      },
    )
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(braces, (text) => {
      fc.pre(!/\{\{\s*[A-Za-z0-9_.-]+\s*\}\}/.test(text));
      assert.equal(fillTemplate(text, {}, where), text);
    }),
  );
});

function definition(messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>): PromptDefinition {
  return {
    file: 'p.prompt.yml',
    name: 'p',
    description: undefined,
    model: undefined,
    modelParameters: {},
    messages: messages.map((m, index) => ({
      ...m,
      label: `messages[${index}]`,
      line: index + 1,
      contentLine: undefined,
    })),
    responseFormat: 'text',
    jsonSchema: undefined,
    testData: [],
    evaluators: [],
    tools: [],
    version: undefined,
    versionLabel: 'sha256:000000000000',
    contentHash: 'sha256:0',
    warnings: [],
  };
}
