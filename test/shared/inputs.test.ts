import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/shared/errors.js';
import { input, isBooleanInput, lineInputs, readInputs } from '../../src/shared/inputs.js';

const shape = {
  name: input.text(),
  count: input.integer({ min: 1, max: 10, default: 3 }),
  ratio: input.number({ min: 0, max: 1 }),
  mode: input.oneOf(['fast', 'slow'], 'fast'),
  dry: input.boolean(false),
  alias: input.optionalInteger({ min: 1, max: 5 }),
  dir: input.text().default('.autostack/runs'),
  label: input.label(),
  model: lineInputs.model(),
  url: lineInputs.httpUrl(),
  even: input.optionalText().superRefine((value, issues) => {
    if (value !== undefined && value.length % 2 === 1) issues.addIssue({ code: 'custom', message: 'must be even' });
  }),
};

function readWith(values: Record<string, string>) {
  return readInputs(shape, (name) => values[name]);
}

function errorOf(values: Record<string, string>): { input: string; message: string } {
  try {
    readWith(values);
  } catch (error) {
    assert.ok(error instanceof InputError);
    return { input: error.input, message: error.message };
  }
  assert.fail('expected an InputError');
}

test('defaults, trimming and typed values without zod', () => {
  const inputs = readWith({ name: '  job  ', ratio: '0.5', dry: 'yes', alias: '2', even: 'ab', model: 'claude-x' });
  assert.deepEqual(inputs, {
    name: 'job',
    count: 3,
    ratio: 0.5,
    mode: 'fast',
    dry: true,
    alias: 2,
    dir: '.autostack/runs',
    label: undefined,
    model: 'claude-x',
    url: undefined,
    even: 'ab',
  });
});

test('each bad input fails on one line naming it and saying what would be valid', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{}, 'name', /is required/],
    [{ name: 'x', count: '11' }, 'count', /must be a whole number from 1 to 10 \(got 11\)/],
    [{ name: 'x', count: '1.5' }, 'count', /must be a whole number from 1 to 10 \(got '1\.5'\)/],
    [{ name: 'x', ratio: '2' }, 'ratio', /must be a number from 0 to 1 \(got '2'\)/],
    [{ name: 'x', mode: 'medium' }, 'mode', /must be one of fast, slow \(got 'medium'\)/],
    [{ name: 'x', dry: 'maybe' }, 'dry', /must be true or false \(got 'maybe'\)/],
    [{ name: 'x', alias: '9' }, 'alias', /must be a whole number from 1 to 5 \(got '9'\)/],
    [{ name: 'x', label: 'a\nb' }, 'label', /must be one line of at most 200 characters/],
    [{ name: 'x', model: 'bad model' }, 'model', /must be a model id/],
    [{ name: 'x', url: 'ftp://x' }, 'url', /must be an http:\/\/ or https:\/\/ URL/],
    [{ name: 'x', even: 'abc' }, 'even', /must be even/],
  ];
  for (const [values, name, message] of cases) {
    const error = errorOf(values);
    assert.equal(error.input, name, JSON.stringify(values));
    assert.match(error.message, message);
    assert.equal(error.message.includes('\n'), false);
  }
});

test('only boolean inputs are offered as --flag / --no-flag', () => {
  assert.equal(isBooleanInput(shape.dry), true);
  assert.equal(isBooleanInput(shape.name), false);
  assert.equal(isBooleanInput(shape.mode), false);
});
