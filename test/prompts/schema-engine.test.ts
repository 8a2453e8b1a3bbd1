import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPrompt } from '../../src/prompts/load.js';
import { compileSchema } from '../../src/prompts/schema.js';
import { SchemaEngineNeeded, withSchemaEngine } from '../../src/prompts/engine.js';
import { assertUserError, scratch } from './helpers.js';

// One process per test file: these run before anything in this file has loaded ajv.
const SCHEMA_PROMPT = [
  'messages:',
  '  - role: user',
  '    content: Label it.',
  'responseFormat: json_schema',
  'jsonSchema:',
  '  name: labels',
  '  schema:',
  '    type: object',
  '    required: [label]',
  '',
].join('\n');

test('a prompt without a schema is read without loading ajv; one with a schema is read through withSchemaEngine', async () => {
  const directory = scratch({
    'plain.prompt.yml': 'messages:\n  - role: user\n    content: Hi.\n',
    'schema.prompt.yml': SCHEMA_PROMPT,
  });
  assert.equal(loadPrompt('plain.prompt.yml', { cwd: directory }).messages[0]?.content, 'Hi.');
  assert.throws(() => loadPrompt('schema.prompt.yml', { cwd: directory }), SchemaEngineNeeded);
  const definition = await withSchemaEngine(() => loadPrompt('schema.prompt.yml', { cwd: directory }));
  assert.deepEqual(definition.jsonSchema?.schema, { type: 'object', required: ['label'] });
  assert.deepEqual(compileSchema(definition.jsonSchema?.schema, {}).validate({}), {
    valid: false,
    errors: ["(root): must have required property 'label'"],
  });
});

test('withSchemaEngine passes on the errors of the read itself, with their file and line', async () => {
  const directory = scratch({ 'bad.prompt.yml': SCHEMA_PROMPT.replace('type: object', 'type: objet') });
  const error = await withSchemaEngine(() => loadPrompt('bad.prompt.yml', { cwd: directory })).catch(
    (caught: unknown) => caught,
  );
  assertUserError(
    () => {
      throw error;
    },
    { file: 'bad.prompt.yml', line: 8, message: /^bad\.prompt\.yml:8: jsonSchema\.schema is not a valid JSON Schema/ },
  );
});
