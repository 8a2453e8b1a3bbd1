import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadSchemaEngine } from '../../src/prompts/engine.js';
import { fillTemplate, listVariables, renderPrompt } from '../../src/prompts/render.js';
import { loadPrompt } from '../../src/prompts/load.js';
import { promptFromText } from '../../src/prompts/text-prompt.js';
import { InputError } from '../../src/shared/errors.js';
import { assertUserError, FIXTURES, scratch } from './helpers.js';

const load = (path: string) => loadPrompt(path, { cwd: FIXTURES });

// Schemas are read synchronously once ajv is loaded; the async entry points load it (schema.ts).
before(() => loadSchemaEngine());

describe('renderPrompt', () => {
  test('fills placeholders, with or without spaces, and merges system messages', () => {
    const rendered = renderPrompt(load('prompts/triage.prompt.yml'), {
      repository: 'octo/app',
      title: 'Crash',
      body: 'It broke.',
    });
    assert.deepEqual(rendered, {
      system: 'You triage issues for the octo/app repository.\nAnswer with JSON only.\n',
      messages: [{ role: 'user', content: 'Title: Crash\n\nBody:\nIt broke.\n' }],
    });
  });

  test('values go in literally: placeholders inside values are not expanded', () => {
    const rendered = renderPrompt(load('prompts/triage.prompt.yml'), {
      repository: '{{title}}',
      title: '{{ body }}',
      body: '$& $1 {{repository}}',
    });
    assert.equal(rendered.system, 'You triage issues for the {{title}} repository.\nAnswer with JSON only.\n');
    assert.equal(rendered.messages[0]?.content, 'Title: {{ body }}\n\nBody:\n$& $1 {{repository}}\n');
  });

  test('several system messages are joined by a blank line, wherever they are', () => {
    const directory = scratch({
      'x.prompt.yml':
        'messages:\n  - role: system\n    content: One.\n  - role: user\n    content: Q\n  - role: assistant\n    content: A\n  - role: system\n    content: Two.\n  - role: user\n    content: Q2\n',
    });
    assert.deepEqual(renderPrompt(loadPrompt('x.prompt.yml', { cwd: directory }), {}), {
      system: 'One.\n\nTwo.',
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'A' },
        { role: 'user', content: 'Q2' },
      ],
    });
  });

  test('no system key at all when there is no system message', () => {
    const rendered = renderPrompt(load('prompts/plain.txt'), { who: 'Ada' });
    assert.deepEqual(rendered, { messages: [{ role: 'user', content: 'Say hello to Ada.' }] });
    assert.equal('system' in rendered, false);
  });

  test('text that is not a placeholder is left alone', () => {
    const def = promptFromText('Keep {{ two words }}, {{}} and {{ok}} and {a}');
    assert.equal(renderPrompt(def, { ok: 'yes' }).messages[0]?.content, 'Keep {{ two words }}, {{}} and yes and {a}');
  });
});

describe('a placeholder without a variable is refused', () => {
  test('pointing at the exact line inside a block literal, listing what was given and what else is missing', () => {
    const def = load('prompts/missing-var.prompt.yml');
    assertUserError(() => renderPrompt(def, { project: 'autostack' }), {
      file: 'prompts/missing-var.prompt.yml',
      line: 8,
      message:
        "prompts/missing-var.prompt.yml:8: messages[1] uses {{topic}} but no variable 'topic' was given (variables given: project; also missing: detail)",
    });
  });

  test('in a one-line message, pointing at its line', () => {
    const def = load('prompts/missing-var.prompt.yml');
    assertUserError(() => renderPrompt(def, { topic: 'a', detail: 'b' }), {
      file: 'prompts/missing-var.prompt.yml',
      line: 4,
      message:
        "prompts/missing-var.prompt.yml:4: messages[0] uses {{project}} but no variable 'project' was given (variables given: topic, detail)",
    });
  });

  test('in a markdown body, pointing at the file line', () => {
    assertUserError(() => renderPrompt(load('prompts/summarize.md'), { previous_tag: 'v1.0.0' }), {
      file: 'prompts/summarize.md',
      line: 12,
      message:
        "prompts/summarize.md:12: the prompt uses {{changes}} but no variable 'changes' was given (variables given: previous_tag)",
    });
  });

  test('in a folded scalar, pointing at the message entry', () => {
    const directory = scratch({
      'x.prompt.yml': 'messages:\n  - role: user\n    content: >\n      Hello\n      {{who}}\n',
    });
    assertUserError(() => renderPrompt(loadPrompt('x.prompt.yml', { cwd: directory }), {}), {
      file: 'x.prompt.yml',
      line: 2,
      message: "x.prompt.yml:2: messages[0] uses {{who}} but no variable 'who' was given (no variables were given)",
    });
  });

  test('in a one-line scalar holding escaped newlines, pointing at the message entry', () => {
    const directory = scratch({ 'x.prompt.yml': 'messages:\n  - role: user\n    content: "Hello\\n\\n{{who}}"\n' });
    assertUserError(() => renderPrompt(loadPrompt('x.prompt.yml', { cwd: directory }), {}), {
      file: 'x.prompt.yml',
      line: 2,
      message: "x.prompt.yml:2: messages[0] uses {{who}} but no variable 'who' was given (no variables were given)",
    });
  });

  test('in an inline prompt, without a location', () => {
    assertUserError(() => renderPrompt(promptFromText('Hi {{ name }}', { system: 'Be {{tone}}.' }), { name: 'Ada' }), {
      message: "the system prompt uses {{tone}} but no variable 'tone' was given (variables given: name)",
    });
  });
});

describe('listVariables and fillTemplate', () => {
  test('variables in order of first use, each once', () => {
    assert.deepEqual(listVariables(load('prompts/triage.prompt.yml')), ['repository', 'title', 'body']);
    assert.deepEqual(listVariables(promptFromText('{{b}} {{ a }} {{b}} {{x.y-z_1}}', { system: '{{s}}' })), [
      's',
      'b',
      'a',
      'x.y-z_1',
    ]);
  });

  test("fills an llm evaluator's prompt and refuses unknown placeholders", () => {
    const judge = load('prompts/triage.prompt.yml').evaluators.find((evaluator) => evaluator.kind === 'llm');
    assert.ok(judge?.kind === 'llm');
    const where = { file: 'prompts/triage.prompt.yml', line: judge.line, label: `evaluator '${judge.name}'` };
    assert.equal(
      fillTemplate(judge.prompt, { input: 'Crash', expected: 'bug', completion: 'bug' }, where),
      'Issue: Crash\nExpected: bug\nGot: bug\nIs the triage right?\n',
    );
    assertUserError(() => fillTemplate(judge.prompt, { input: 'Crash' }, where), {
      file: 'prompts/triage.prompt.yml',
      line: 52,
      message:
        "prompts/triage.prompt.yml:52: evaluator 'judged correct' uses {{expected}} but no variable 'expected' was given (variables given: input; also missing: completion)",
    });
  });
});

describe('promptFromText', () => {
  test('an inline prompt with a system text', () => {
    const def = promptFromText('Summarize {{text}}', { system: 'Be brief.', name: 'inline-summary' });
    assert.equal(def.file, undefined);
    assert.equal(def.name, 'inline-summary');
    assert.deepEqual(
      def.messages.map((message) => [message.role, message.content]),
      [
        ['system', 'Be brief.'],
        ['user', 'Summarize {{text}}'],
      ],
    );
    assert.match(def.contentHash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(def.versionLabel, def.contentHash.slice(0, 19));
  });

  test('the hash follows the normalized text, and the system text when there is one', () => {
    assert.equal(promptFromText('Hi\r\n').contentHash, promptFromText('Hi  ').contentHash);
    assert.notEqual(promptFromText('Hi').contentHash, promptFromText('Hi', { system: 'A' }).contentHash);
    assert.notEqual(
      promptFromText('Hi', { system: 'A' }).contentHash,
      promptFromText('Hi', { system: 'B' }).contentHash,
    );
  });

  test('an empty prompt input is refused by name', () => {
    assert.throws(
      () => promptFromText('  \n'),
      (error: unknown) => error instanceof InputError && error.input === 'prompt',
    );
  });
});
