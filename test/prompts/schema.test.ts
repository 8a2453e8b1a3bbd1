import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { compileSchema, loadSchemaInput } from '../../src/prompts/schema.js';
import { loadSchemaEngine } from '../../src/prompts/engine.js';
import { InputError } from '../../src/shared/errors.js';
import { assertUserError, FIXTURES, scratch } from './helpers.js';

const triage = {
  type: 'object',
  properties: {
    labels: { type: 'array', items: { type: 'string', enum: ['bug', 'feature', 'question'] } },
    reason: { type: 'string' },
  },
  required: ['labels', 'reason'],
  additionalProperties: false,
};

// Schemas are read synchronously once ajv is loaded; the async entry points load it (schema.ts).
before(() => loadSchemaEngine());

describe('compileSchema', () => {
  test('valid values pass; invalid ones get every error with a JSON pointer', () => {
    const compiled = compileSchema(triage, {});
    assert.deepEqual(compiled.validate({ labels: ['bug'], reason: 'crash' }), { valid: true });
    assert.deepEqual(compiled.validate({ labels: ['bugs', 'feature', 7], extra: 1 }), {
      valid: false,
      errors: [
        "(root): must have required property 'reason'",
        "(root): must NOT have additional properties ('extra')",
        '/labels/0: must be equal to one of the allowed values (bug, feature, question)',
        '/labels/2: must be string',
        '/labels/2: must be equal to one of the allowed values (bug, feature, question)',
      ],
    });
  });

  test('const and pointer escaping', () => {
    const compiled = compileSchema({ properties: { 'a/b': { const: 'x' } } }, {});
    assert.deepEqual(compiled.validate({ 'a/b': 'y' }), {
      valid: false,
      errors: ['/a~1b: must be equal to constant (x)'],
    });
  });

  test('draft 2020-12 and 2019-09 schemas are supported', () => {
    const tuple = compileSchema(
      { $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'string' }], items: false },
      {},
    );
    assert.deepEqual(tuple.validate(['a']), { valid: true });
    assert.deepEqual(tuple.validate(['a', 'b']), { valid: false, errors: ['(root): must NOT have more than 1 items'] });
    const closed = compileSchema(
      {
        $schema: 'https://json-schema.org/draft/2019-09/schema',
        properties: { a: true },
        unevaluatedProperties: false,
      },
      {},
    );
    assert.deepEqual(closed.validate({ a: 1, b: 2 }), {
      valid: false,
      errors: ["(root): must NOT have unevaluated properties ('b')"],
    });
  });

  test('unknown formats and vendor keywords are accepted, not fatal', () => {
    const compiled = compileSchema({ type: 'string', format: 'email', 'x-display': 'Email' }, {});
    assert.deepEqual(compiled.validate('not an email'), { valid: true });
    assert.deepEqual(compiled.validate(3), { valid: false, errors: ['(root): must be string'] });
  });

  test('a boolean schema is a schema', () => {
    assert.deepEqual(compileSchema(false, {}).validate(1), {
      valid: false,
      errors: ['(root): boolean schema is false'],
    });
  });

  test('an invalid schema names the file and line it was given', () => {
    assertUserError(() => compileSchema({ type: 'strin' }, { file: 'schemas/x.json', line: 3 }), {
      file: 'schemas/x.json',
      line: 3,
      message:
        'schemas/x.json:3: schema is not a valid JSON Schema: /type: must be equal to one of the allowed values (array, boolean, integer, null, number, object, string)',
    });
  });

  test('an invalid schema from an input names the input', () => {
    assert.throws(
      () => compileSchema({ properties: { a: { minLength: -1 } }, required: 'a' }, { input: 'schema' }),
      (error: unknown) =>
        error instanceof InputError &&
        error.input === 'schema' &&
        error.message ===
          "Input 'schema' is not a valid JSON Schema: /required: must be array; /properties/a/minLength: must be >= 0",
    );
  });

  test('an unresolvable $ref and a non-schema value', () => {
    assertUserError(
      () => compileSchema({ properties: { a: { $ref: '#/definitions/missing' } } }, { file: 'x.json', line: 1 }),
      {
        file: 'x.json',
        line: 1,
        message: "x.json:1: schema is not a valid JSON Schema: can't resolve reference #/definitions/missing from id #",
      },
    );
    assertUserError(() => compileSchema('string', {}), {
      message: "schema is not a valid JSON Schema: must be a JSON Schema object (got 'string')",
    });
  });
});

describe('loadSchemaInput', () => {
  test('inline JSON and inline YAML', () => {
    assert.deepEqual(loadSchemaInput('{"type": "object", "required": ["a"]}', FIXTURES), {
      type: 'object',
      required: ['a'],
    });
    assert.deepEqual(loadSchemaInput('type: object\nrequired: [a]\n', FIXTURES), { type: 'object', required: ['a'] });
  });

  test('a path to a .json file, relative to cwd', () => {
    const schema = loadSchemaInput('prompts/triage-schema.json', FIXTURES);
    assert.deepEqual(compileSchema(schema, {}).validate({ labels: ['question'] }), { valid: true });
    assert.deepEqual(loadSchemaInput(join(FIXTURES, 'prompts', 'triage-schema.json'), '/'), schema);
  });

  test("a prompt file's {name, schema} wrapper is unwrapped", () => {
    assert.deepEqual(loadSchemaInput('{"name": "triage", "strict": true, "schema": {"type": "object"}}', FIXTURES), {
      type: 'object',
    });
  });

  test('errors in a schema file point at its line', () => {
    assertUserError(() => loadSchemaInput('prompts/broken-schema.yml', FIXTURES), {
      file: 'prompts/broken-schema.yml',
      line: 5,
      message:
        "prompts/broken-schema.yml:5: input 'schema' is not a valid JSON Schema: /properties/labels/minItems: must be >= 0",
    });
    const directory = scratch({ 'bad.json': '{\n  "type": "object",\n  "required": ["a",]\n}\n' });
    assertUserError(() => loadSchemaInput('bad.json', directory), {
      file: 'bad.json',
      line: 3,
      message: "bad.json:3: invalid JSON in input 'schema': Unexpected token ']'",
    });
  });

  test('bad inline values name the input', () => {
    const cases: Array<[string, string]> = [
      [
        '',
        "Input 'schema' is empty; give a JSON Schema as JSON or YAML text, or a path to a .json, .yml or .yaml file",
      ],
      [
        'missing.json',
        `Input 'schema' names a file that does not exist: missing.json (looked for ${join(FIXTURES, 'missing.json')})`,
      ],
      [
        'hello',
        "Input 'schema' must be a JSON Schema (JSON or YAML text) or a path to a .json, .yml or .yaml file (got 'hello')",
      ],
      ['{"type": [}', "Input 'schema' is not valid JSON (Unexpected token '}')"],
      [
        '{"type": "strin"}',
        "Input 'schema' is not a valid JSON Schema: /type: must be equal to one of the allowed values (array, boolean, integer, null, number, object, string)",
      ],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => loadSchemaInput(value, FIXTURES),
        (error: unknown) => error instanceof InputError && error.input === 'schema' && error.message === message,
        `for ${JSON.stringify(value)}`,
      );
    }
  });
});
