import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelStopError, StructuredOutputError } from '../../src/ai/errors.js';
import { parseStructured, runStructured, type Validate } from '../../src/ai/structured.js';
import { runToolLoop, type ToolExecutor } from '../../src/ai/tool-loop.js';
import type { ModelRequest, ModelResponse } from '../../src/ai/types.js';
import { textReply } from '../fakes/anthropic-api.js';
import { request, rig, user } from './helpers.js';

const schema = {
  type: 'object',
  properties: { label: { type: 'string' }, score: { type: 'number' } },
  required: ['label', 'score'],
  additionalProperties: false,
};

/** Stands in for a JSON Schema validator: same contract, errors as readable strings. */
const validate: Validate = (value) => {
  const errors: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { valid: false, errors: ['(root) must be an object'] };
  const record = value as Record<string, unknown>;
  if (typeof record.label !== 'string') errors.push('/label must be a string');
  if (typeof record.score !== 'number') errors.push('/score must be a number');
  for (const key of Object.keys(record)) if (!['label', 'score'].includes(key)) errors.push(`/${key} is not allowed`);
  return errors.length === 0 ? { valid: true } : { valid: false, errors };
};

const noTools: ToolExecutor = { definitions: [], execute: () => Promise.reject(new Error('no tools here')) };
/** The production turn: the tool loop, here with no tools. */
const turnOf = (call: (request: ModelRequest) => Promise<ModelResponse>) => (request: ModelRequest) =>
  runToolLoop({ request, tools: noTools, call, limits: { maxTurns: 4 } });

const req = () => request({ outputSchema: schema, messages: [user('Classify: great product')] });

test('parseStructured accepts plain and fenced JSON and reports the rest', () => {
  assert.deepEqual(parseStructured(' {"label":"a","score":1} ', validate), {
    ok: true,
    value: { label: 'a', score: 1 },
  });
  assert.deepEqual(parseStructured('Here it is:\n```json\n{"label":"a","score":1}\n```\n', validate), {
    ok: true,
    value: { label: 'a', score: 1 },
  });
  assert.deepEqual(parseStructured('```{"label":"a","score":1}```'), { ok: true, value: { label: 'a', score: 1 } });
  const empty = parseStructured('   ', validate);
  assert.ok(!empty.ok && /empty/.test(empty.errors[0] ?? ''));
  const broken = parseStructured('{"label": "a",', validate);
  assert.ok(!broken.ok && /not valid JSON/.test(broken.errors[0] ?? ''));
  const badFence = parseStructured('```json\n{nope}\n```', validate);
  assert.ok(!badFence.ok && /code block is not valid/.test(badFence.errors[0] ?? ''));
  const wrong = parseStructured('{"label": 3}', validate);
  assert.deepEqual(wrong, { ok: false, errors: ['/label must be a string', '/score must be a number'] });
});

test('a valid first reply needs no repair', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('{"label":"positive","score":0.9}'));
  const result = await runStructured<{ label: string; score: number }>({
    request: req(),
    validate,
    turn: turnOf(call),
  });
  assert.deepEqual(result.value, { label: 'positive', score: 0.9 });
  assert.equal(result.repairs, 0);
  assert.equal(result.responses.length, 1);
  assert.equal(api.requests.length, 1);
  assert.deepEqual(api.requests[0]?.body.output_config, { format: { type: 'json_schema', schema } });
});

test('invalid JSON is repaired: the second request shows the reply and the errors', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('{"label": "positive", "score": '), textReply('{"label":"positive","score":0.8}'));
  const result = await runStructured({ request: req(), validate, turn: turnOf(call) });
  assert.deepEqual(result.value, { label: 'positive', score: 0.8 });
  assert.equal(result.repairs, 1);
  assert.equal(api.requests.length, 2);

  const second = api.requests[1]!.body.messages as { role: string; content: unknown }[];
  assert.equal(second.length, 3);
  assert.deepEqual(second[1], {
    role: 'assistant',
    content: [{ type: 'text', text: '{"label": "positive", "score": ' }],
  });
  assert.equal(second[2]?.role, 'user');
  assert.match(
    String(second[2]?.content),
    /Your reply could not be used:\n- The reply is not valid JSON: .+\n\nReply again with only the corrected JSON value/,
  );
  // The conversation returned ends with the accepted reply.
  assert.equal(result.messages.length, 4);
  assert.equal(result.messages[3]?.role, 'assistant');
});

test('a schema violation is repaired with the validator errors listed', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('{"label":"positive","score":"high","extra":1}'), textReply('{"label":"positive","score":1}'));
  const result = await runStructured({ request: req(), validate, turn: turnOf(call) });
  assert.deepEqual(result.value, { label: 'positive', score: 1 });
  const repair = String((api.requests[1]!.body.messages as { content: unknown }[])[2]?.content);
  assert.match(repair, /- \/score must be a number\n- \/extra is not allowed/);
});

test('still invalid after the repairs: StructuredOutputError with the last errors', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(
    textReply('nope'),
    textReply('{"label":1,"score":1}'),
    textReply('{"label":"x"}'),
    textReply('never sent'),
  );
  await assert.rejects(
    runStructured({ request: req(), validate, turn: turnOf(call), maxRepairs: 2 }),
    (err: unknown) => {
      assert.ok(err instanceof StructuredOutputError);
      assert.deepEqual(err.errors, ['/score must be a number']);
      assert.equal(err.attempts, 3);
      assert.equal(err.responses.length, 3);
      assert.equal(err.lastText, '{"label":"x"}');
      assert.match(err.message, /not valid structured output after 3 tries:\n {2}- \/score must be a number/);
      return true;
    },
  );
  assert.equal(api.requests.length, 3);
  assert.equal(api.pending(), 1);
});

test('maxRepairs 0 fails on the first invalid reply', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('[]'));
  await assert.rejects(
    runStructured({ request: req(), validate, turn: turnOf(call), maxRepairs: 0 }),
    StructuredOutputError,
  );
  assert.equal(api.requests.length, 1);
});

test('a truncated reply fails with the max-tokens advice instead of being repaired', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('{"label":"pos', { stop_reason: 'max_tokens' }));
  await assert.rejects(runStructured({ request: req(), validate, turn: turnOf(call) }), (err: unknown) => {
    assert.ok(err instanceof ModelStopError);
    assert.equal(err.stopReason, 'max_tokens');
    assert.match(err.message, /Raise max-tokens/);
    return true;
  });
  assert.equal(api.requests.length, 1);
});

test('a refusal fails as a refusal', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('', { stop_reason: 'refusal' }));
  await assert.rejects(
    runStructured({ request: req(), validate, turn: turnOf(call) }),
    (err: unknown) => err instanceof ModelStopError && /declined/.test(err.message),
  );
});

test('pause_turn is continued and the turn text joined', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('{"label":"pos', { stop_reason: 'pause_turn' }), textReply('itive","score":1}'));
  const result = await runStructured({ request: req(), validate, turn: turnOf(call) });
  assert.deepEqual(result.value, { label: 'positive', score: 1 });
  assert.equal(result.responses.length, 2);
  const second = api.requests[1]!.body.messages as { role: string; content: unknown }[];
  assert.equal(second.length, 2);
  assert.deepEqual(second[1], { role: 'assistant', content: [{ type: 'text', text: '{"label":"pos' }] });
  // One assistant turn, not two, in the conversation returned.
  assert.equal(result.messages.length, 2);
  assert.deepEqual(result.messages[1], {
    role: 'assistant',
    content: [
      { type: 'text', text: '{"label":"pos' },
      { type: 'text', text: 'itive","score":1}' },
    ],
  });
});
