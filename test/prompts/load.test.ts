import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadSchemaEngine } from '../../src/prompts/engine.js';
import { loadPrompt } from '../../src/prompts/load.js';
import { normalizeForHash } from '../../src/prompts/normalize.js';
import { assertUserError, FIXTURES, scratch } from './helpers.js';

const load = (path: string) => loadPrompt(path, { cwd: FIXTURES });

// Schemas are read synchronously once ajv is loaded; the async entry points load it (schema.ts).
before(() => loadSchemaEngine());

describe('GitHub Models prompt files', () => {
  test('a realistic triage prompt loads with every field', () => {
    const def = load('prompts/triage.prompt.yml');
    assert.equal(def.file, 'prompts/triage.prompt.yml');
    assert.equal(def.name, 'Issue triage');
    assert.equal(def.model, 'openai/gpt-4o-mini');
    assert.deepEqual(def.modelParameters, { maxTokens: 400, temperature: 0.2 });
    assert.deepEqual(
      def.messages.map((message) => [message.role, message.label, message.line, message.contentLine]),
      [
        ['system', 'messages[0]', 9, 11],
        ['user', 'messages[1]', 13, 15],
      ],
    );
    assert.equal(def.responseFormat, 'json_schema');
    assert.equal(def.jsonSchema?.name, 'triage');
    assert.equal(def.jsonSchema?.strict, true);
    assert.equal(def.jsonSchema?.line, 20);
    assert.deepEqual(def.jsonSchema?.schema.required, ['labels', 'reason']);
    assert.equal(def.testData.length, 2);
    assert.deepEqual(def.testData[0], {
      variables: {
        repository: 'octo/app',
        title: 'App crashes on start',
        body: 'Stack trace attached.',
        expected: '{"labels":["bug"],"reason":"crash"}',
      },
      line: 38,
    });
    assert.deepEqual(
      def.evaluators.map((evaluator) => [evaluator.kind, evaluator.name, evaluator.line]),
      [
        ['string', 'mentions a label', 47],
        ['uses', 'similar to expected', 50],
        ['llm', 'judged correct', 52],
        ['jsonSchema', 'valid triage JSON', 66],
      ],
    );
    const [contains, , judge, schemaCheck] = def.evaluators;
    assert.equal(contains?.kind === 'string' && contains.contains, '"labels"');
    assert.ok(judge?.kind === 'llm');
    assert.deepEqual(judge.choices, [
      { choice: 'yes', score: 1 },
      { choice: 'no', score: 0 },
    ]);
    assert.equal(judge.systemPrompt, 'You grade issue triage.');
    assert.ok(schemaCheck?.kind === 'jsonSchema' && schemaCheck.fromPrompt);
    assert.equal(schemaCheck.schema, def.jsonSchema?.schema);
    assert.deepEqual(def.tools, [
      {
        name: 'search_issues',
        description: 'Finds similar issues.',
        type: 'github',
        raw: {
          name: 'search_issues',
          type: 'github',
          description: 'Finds similar issues.',
          endpoint: 'GET /search/issues',
        },
        line: 69,
      },
    ]);
    assert.equal(def.version, '1.4.0');
    assert.equal(def.versionLabel, '1.4.0');
    assert.deepEqual(def.warnings, []);
  });

  test('the jsonSchema field may be a YAML mapping instead of a JSON string', () => {
    const directory = scratch({
      'labels.prompt.yml':
        'messages:\n  - role: user\n    content: Label it.\nresponseFormat: json_schema\njsonSchema:\n  name: labels\n  schema:\n    type: object\n',
    });
    const def = loadPrompt('labels.prompt.yml', { cwd: directory });
    assert.deepEqual(def.jsonSchema?.schema, { type: 'object' });
    assert.equal(def.name, 'labels');
  });

  test('roles are read case-insensitively, as GitHub does', () => {
    const directory = scratch({ 'x.prompt.yml': 'messages:\n  - role: User\n    content: Hi\n' });
    assert.equal(loadPrompt('x.prompt.yml', { cwd: directory }).messages[0]?.role, 'user');
  });

  test('unknown fields are warnings with file:line, with a guess for typos', () => {
    const def = load('prompts/unknown-keys.prompt.yml');
    assert.deepEqual(def.warnings, [
      "prompts/unknown-keys.prompt.yml:2: unknown field 'mdoel' is ignored — did you mean 'model'?",
      "prompts/unknown-keys.prompt.yml:3: unknown field 'futureField' is ignored (known: name, description, model, modelParameters, messages, responseFormat, jsonSchema, testData, evaluators, version, tools, untrusted, repeat, minPasses)",
    ]);
  });

  test('repeat and minPasses are eval settings, at the top level or on a case, not template variables', () => {
    const directory = scratch({
      'r.prompt.yml':
        'repeat: 3\nminPasses: 2\nmessages:\n  - role: user\n    content: Hi {{name}}\ntestData:\n  - name: Ada\n    repeat: 5\n    minPasses: 4\n  - name: Bob\n',
    });
    const def = loadPrompt('r.prompt.yml', { cwd: directory });
    assert.equal(def.repeat, 3);
    assert.equal(def.minPasses, 2);
    assert.deepEqual(def.testData[0], { variables: { name: 'Ada' }, line: 7, repeat: 5, minPasses: 4 });
    assert.deepEqual(def.testData[1], { variables: { name: 'Bob' }, line: 10 });
    assert.deepEqual(def.warnings, []);
  });

  test('minPasses above repeat, or a repeat that is no whole number from 1 to 100, is an error at its line', () => {
    const directory = scratch({
      'over.prompt.yml': 'repeat: 2\nminPasses: 5\nmessages:\n  - role: user\n    content: Hi\n',
      'zero.prompt.yml': 'messages:\n  - role: user\n    content: Hi\ntestData:\n  - name: Ada\n    repeat: 1.5\n',
    });
    assertUserError(() => loadPrompt('over.prompt.yml', { cwd: directory }), {
      file: 'over.prompt.yml',
      line: 2,
      message: /minPasses is 5, more than repeat \(2\)/,
    });
    assertUserError(() => loadPrompt('zero.prompt.yml', { cwd: directory }), {
      file: 'zero.prompt.yml',
      line: 6,
      message: /testData\[0\]\.repeat/,
    });
  });

  test('a jsonSchema without responseFormat json_schema is a warning', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\njsonSchema: \'{"name": "x", "schema": {"type": "object"}}\'\n',
    });
    assert.deepEqual(loadPrompt('x.prompt.yml', { cwd: directory }).warnings, [
      'x.prompt.yml:4: jsonSchema is set but responseFormat is not set (so text), so replies are not held to it; set responseFormat: json_schema',
    ]);
  });

  test('an absolute path inside cwd is shown relative to it', () => {
    const def = loadPrompt(join(FIXTURES, 'prompts', 'plain.txt'), { cwd: FIXTURES });
    assert.equal(def.file, 'prompts/plain.txt');
  });
});

describe('prompt file errors name the file and line', () => {
  test('a bad role', () => {
    assertUserError(() => load('prompts/bad-role.prompt.yml'), {
      file: 'prompts/bad-role.prompt.yml',
      line: 8,
      message: "prompts/bad-role.prompt.yml:8: messages[2].role must be one of system, user, assistant (got 'bot')",
    });
  });

  test('malformed YAML points at the line the unclosed quote opened on', () => {
    assertUserError(() => load('prompts/bad-yaml.prompt.yml'), {
      file: 'prompts/bad-yaml.prompt.yml',
      line: 4,
      message:
        'prompts/bad-yaml.prompt.yml:4: invalid YAML: quoted string opened here is never closed (add the closing ")',
    });
  });

  test('other YAML errors use the parser position', () => {
    const directory = scratch({ 'dup.prompt.yml': 'name: a\nmessages:\n  - role: user\n    content: Hi\nname: b\n' });
    assertUserError(() => loadPrompt('dup.prompt.yml', { cwd: directory }), {
      file: 'dup.prompt.yml',
      line: 5,
      message: 'dup.prompt.yml:5: invalid YAML: Map keys must be unique',
    });
  });

  test('a jsonSchema string that is not JSON points inside the block', () => {
    assertUserError(() => load('prompts/bad-json.prompt.yml'), {
      file: 'prompts/bad-json.prompt.yml',
      line: 11,
      message: 'prompts/bad-json.prompt.yml:11: jsonSchema is not valid JSON: Expected double-quoted property name',
    });
  });

  test('a bare word in the jsonSchema string is found on its line too', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\nresponseFormat: json_schema\njsonSchema: |\n  {\n    "name": "x",\n    "schema": {\n      "type": "object",\n      "additionalProperties": fals\n    }\n  }\n',
    });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 10,
      message: "x.prompt.yml:10: jsonSchema is not valid JSON: Unexpected token '\\n'",
    });
  });

  test('an invalid JSON Schema inside the jsonSchema string points at the bad keyword', () => {
    assertUserError(() => load('prompts/bad-schema.prompt.yml'), {
      file: 'prompts/bad-schema.prompt.yml',
      line: 12,
      message:
        'prompts/bad-schema.prompt.yml:12: jsonSchema.schema is not a valid JSON Schema: /properties/labels/type: must be equal to one of the allowed values (array, boolean, integer, null, number, object, string)',
    });
  });

  test('an invalid JSON Schema written as YAML points at the bad keyword', () => {
    assertUserError(() => load('prompts/bad-schema-mapping.prompt.yml'), {
      file: 'prompts/bad-schema-mapping.prompt.yml',
      line: 10,
      message:
        'prompts/bad-schema-mapping.prompt.yml:10: jsonSchema.schema is not a valid JSON Schema: /required: must be array',
    });
  });

  test('jsonSchema missing name and schema', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\nresponseFormat: json_schema\njsonSchema: |\n  {\n    "strict": true\n  }\n',
    });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 6,
      message: 'x.prompt.yml:6: jsonSchema.name is required\n  x.prompt.yml:6: jsonSchema.schema is required',
    });
  });

  test('an unsupported $schema draft', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\nresponseFormat: json_schema\njsonSchema: |\n  {\n    "name": "x",\n    "schema": {\n      "$schema": "http://json-schema.org/draft-04/schema#"\n    }\n  }\n',
    });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 9,
      message:
        "x.prompt.yml:9: jsonSchema.schema is not a valid JSON Schema: /$schema: 'http://json-schema.org/draft-04/schema#' is not supported; use draft-07 (the default when $schema is absent), 2019-09 or 2020-12",
    });
  });

  test('several problems are all listed, in file order, located at the first', () => {
    assertUserError(() => load('prompts/bad-fields.prompt.yml'), {
      file: 'prompts/bad-fields.prompt.yml',
      line: 3,
      message: [
        'prompts/bad-fields.prompt.yml:3: modelParameters.temperature must be at most 2 (got 3)',
        '  prompts/bad-fields.prompt.yml:4: modelParameters.maxTokens must be a whole number (got 1.5)',
      ].join('\n'),
    });
  });

  test('evaluators that cannot be read never stop a prompt from loading; each is a located problem', () => {
    const directory = scratch({
      'x.prompt.yml': [
        'messages:',
        '  - role: user',
        '    content: Hi',
        'evaluators:',
        '  - name: two kinds',
        '    string:',
        '      contains: hi',
        '    uses: github/similarity',
        '  - name: typo',
        '    string:',
        '      equal: hi',
        '  - name: future kind',
        '    python: check.py',
        '  - name: kept',
        '    string:',
        '      contains: hi',
        '  - name: kept',
        '    uses: github/coherence',
        '',
      ].join('\n'),
    });
    const def = loadPrompt('x.prompt.yml', { cwd: directory });
    assert.deepEqual(
      def.evaluators.map((entry) => entry.name),
      ['kept'],
    );
    assert.deepEqual(def.evaluatorProblems, [
      'x.prompt.yml:5: evaluators[0] must have only one of string, llm, uses, jsonSchema (got string and uses)',
      'x.prompt.yml:11: evaluators[1].string.equal is not a string check; use equals, contains, startsWith, endsWith',
      'x.prompt.yml:12: evaluators[2] needs one of string, llm, uses, jsonSchema',
      "x.prompt.yml:17: evaluators[4].name repeats evaluators[3].name 'kept'; names must be unique",
    ]);
    const clean = scratch({ 'y.prompt.yml': 'messages:\n  - role: user\n    content: Hi\nevaluators: nope\n' });
    assert.deepEqual(loadPrompt('y.prompt.yml', { cwd: clean }).evaluatorProblems, [
      "y.prompt.yml:4: evaluators must be a list (got 'nope')",
    ]);
  });

  test('a misspelt required field is reported with the guess', () => {
    const directory = scratch({ 'x.prompt.yml': 'name: x\nmesages:\n  - role: user\n    content: Hi\n' });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 1,
      message:
        "x.prompt.yml:1: messages is required\n  x.prompt.yml:2: unknown field 'mesages' is ignored — did you mean 'messages'?",
    });
  });

  test('a version YAML would turn into a number', () => {
    const directory = scratch({ 'x.prompt.yml': 'version: 1.10\nmessages:\n  - role: user\n    content: Hi\n' });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 1,
      message: "x.prompt.yml:1: version must be a quoted string, or YAML changes it (write version: '1.1')",
    });
  });

  test('responseFormat json_schema needs a jsonSchema', () => {
    const directory = scratch({
      'x.prompt.yml': 'messages:\n  - role: user\n    content: Hi\nresponseFormat: json_schema\n',
    });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 4,
      message:
        'x.prompt.yml:4: responseFormat is json_schema, so jsonSchema is required (a JSON string or mapping with name and schema)',
    });
  });

  test('a bad responseFormat lists the valid ones', () => {
    const directory = scratch({ 'x.prompt.yml': 'messages:\n  - role: user\n    content: Hi\nresponseFormat: json\n' });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 4,
      message: "x.prompt.yml:4: responseFormat must be one of text, json_object, json_schema (got 'json')",
    });
  });

  test('a jsonSchema evaluator needs a schema from somewhere', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\nevaluators:\n  - name: valid\n    jsonSchema: true\n',
    });
    assert.deepEqual(loadPrompt('x.prompt.yml', { cwd: directory }).evaluatorProblems, [
      'x.prompt.yml:6: evaluators[0].jsonSchema is true but the prompt has no jsonSchema to check against; add jsonSchema or give { schema: ... } here',
    ]);
  });

  test("a jsonSchema evaluator's own schema is checked too", () => {
    const ok = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\nevaluators:\n  - name: valid\n    jsonSchema:\n      schema:\n        type: array\n',
    });
    const evaluator = loadPrompt('x.prompt.yml', { cwd: ok }).evaluators[0];
    assert.deepEqual(evaluator, {
      name: 'valid',
      line: 5,
      kind: 'jsonSchema',
      schema: { type: 'array' },
      fromPrompt: false,
    });

    const bad = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\nevaluators:\n  - name: valid\n    jsonSchema:\n      schema:\n        type: array\n        minItems: many\n',
    });
    assert.deepEqual(loadPrompt('x.prompt.yml', { cwd: bad }).evaluatorProblems, [
      'x.prompt.yml:9: evaluators[0].jsonSchema.schema is not a valid JSON Schema: /minItems: must be integer',
    ]);
  });

  test('a prompt needs a user message', () => {
    const directory = scratch({ 'x.prompt.yml': 'messages:\n  - role: system\n    content: Hi\n' });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 1,
      message: 'x.prompt.yml:1: messages must include at least one message with role user',
    });
  });

  test('tool and evaluator names must be unique', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: user\n    content: Hi\ntools:\n  - name: search\n    type: github\n  - name: search\n    type: command\n',
    });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 7,
      message: "x.prompt.yml:7: tools[1].name repeats tools[0].name 'search'; names must be unique",
    });
  });

  test('a file that is not a mapping', () => {
    const directory = scratch({ 'x.prompt.yml': '- role: user\n  content: Hi\n' });
    assertUserError(() => loadPrompt('x.prompt.yml', { cwd: directory }), {
      file: 'x.prompt.yml',
      line: 1,
      message: "x.prompt.yml:1: a prompt file must be a mapping with at least 'messages' (got a list)",
    });
  });

  test('a missing file and an unsupported extension', () => {
    assertUserError(() => load('prompts/nope.prompt.yml'), {
      message: `prompt file not found: prompts/nope.prompt.yml (looked for ${join(FIXTURES, 'prompts', 'nope.prompt.yml')})`,
    });
    assertUserError(() => load('prompts/triage.json'), {
      file: 'prompts/triage.json',
      message: 'prompts/triage.json: a prompt file must end in .prompt.yml, .prompt.yaml, .md or .txt',
    });
  });
});

describe('markdown and text prompts', () => {
  test('front matter carries settings and the body is the user message', () => {
    const def = load('prompts/summarize.md');
    assert.equal(def.name, 'Release summary');
    assert.equal(def.model, 'anthropic/claude-sonnet-4-5');
    assert.equal(def.version, '2');
    assert.deepEqual(def.modelParameters, { maxTokens: 800 });
    assert.deepEqual(def.messages, [
      {
        role: 'system',
        content: 'You write short, factual release notes.',
        label: 'the system prompt',
        line: 7,
        contentLine: 7,
      },
      {
        role: 'user',
        content: 'Summarize the changes since {{ previous_tag }}:\n\n{{changes}}',
        label: 'the prompt',
        line: 10,
        contentLine: 10,
      },
    ]);
    assert.equal(def.responseFormat, 'text');
  });

  test('a plain text file is one user message named after the file', () => {
    const def = load('prompts/plain.txt');
    assert.equal(def.name, 'plain');
    assert.deepEqual(def.messages, [
      { role: 'user', content: 'Say hello to {{who}}.', label: 'the prompt', line: 1, contentLine: 1 },
    ]);
    assert.equal(def.version, undefined);
    assert.match(def.versionLabel, /^sha256:[0-9a-f]{12}$/);
  });

  test('unclosed front matter', () => {
    assertUserError(() => load('prompts/unclosed.md'), {
      file: 'prompts/unclosed.md',
      line: 1,
      message: "prompts/unclosed.md:1: front matter opened with '---' is never closed; end it with a '---' line",
    });
  });

  test('a bad front matter value is located in the file, not in the block', () => {
    assertUserError(() => load('prompts/bad-front.md'), {
      file: 'prompts/bad-front.md',
      line: 4,
      message: "prompts/bad-front.md:4: modelParameters.temperature must be a number (got 'hot')",
    });
  });

  test('front matter YAML errors and unknown keys are located in the file', () => {
    const directory = scratch({
      'bad.md': '---\nname: x\nname: y\n---\nBody\n',
      'odd.md': '---\ntemperature: 1\n---\nBody\n',
    });
    assertUserError(() => loadPrompt('bad.md', { cwd: directory }), {
      file: 'bad.md',
      line: 3,
      message: 'bad.md:3: invalid YAML in front matter: Map keys must be unique',
    });
    assert.deepEqual(loadPrompt('odd.md', { cwd: directory }).warnings, [
      "odd.md:2: unknown field 'temperature' is ignored (known: name, description, model, modelParameters, version, system)",
    ]);
  });

  test('an empty text file', () => {
    const directory = scratch({ 'empty.txt': '\n\n' });
    assertUserError(() => loadPrompt('empty.txt', { cwd: directory }), {
      file: 'empty.txt',
      line: 1,
      message: 'empty.txt:1: is empty; write the prompt in it',
    });
  });

  test('front matter with no prompt below it', () => {
    const directory = scratch({ 'empty.md': '---\nname: x\n---\n\n' });
    assertUserError(() => loadPrompt('empty.md', { cwd: directory }), {
      file: 'empty.md',
      line: 4,
      message: 'empty.md:4: has no prompt text; write the prompt below the front matter',
    });
  });
});

describe('content hash and version label', () => {
  test('the hash is sha256 of the normalized file', () => {
    const text = readFileSync(join(FIXTURES, 'prompts', 'triage.prompt.yml'), 'utf8');
    const expected = `sha256:${createHash('sha256').update(normalizeForHash(text)).digest('hex')}`;
    assert.equal(load('prompts/triage.prompt.yml').contentHash, expected);
  });

  test('line endings, trailing whitespace and trailing newlines do not change it; content does', () => {
    const base = 'messages:\n  - role: user\n    content: Hi {{who}}\n';
    const directory = scratch({
      'a.prompt.yml': base,
      'b.prompt.yml': `\uFEFF${base.replace(/\n/g, '  \r\n')}\r\n\r\n`,
      'c.prompt.yml': base.replace('Hi', 'Hello'),
    });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => loadPrompt(`${name}.prompt.yml`, { cwd: directory }));
    assert.equal(a?.contentHash, b?.contentHash);
    assert.notEqual(a?.contentHash, c?.contentHash);
    assert.equal(a?.versionLabel, a?.contentHash.slice(0, 19));
  });

  test('normalizeForHash rules', () => {
    assert.equal(normalizeForHash('a \t\r\nb\rc\n\n\n'), 'a\nb\nc\n');
    assert.equal(normalizeForHash('x'), 'x\n');
    assert.equal(normalizeForHash(''), '\n');
    assert.equal(normalizeForHash('  indented\n\n\nkept blank lines  \n'), '  indented\n\n\nkept blank lines\n');
  });
});
