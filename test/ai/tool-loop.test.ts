import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { ModelStopError, ToolLoopLimitError } from '../../src/ai/errors.js';
import { runToolLoop, type ToolExecutor } from '../../src/ai/tool-loop.js';
import { type ToolCallRecord } from '../../src/ai/types.js';
import { messageReply, textReply, toolUseReply } from '../fakes/anthropic-api.js';
import { request, rig, user } from './helpers.js';

const definitions: Anthropic.Tool[] = [
  {
    name: 'read_file',
    description: 'Read a file',
    input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'list_dir',
    description: 'List a directory',
    input_schema: { type: 'object', properties: { path: { type: 'string' } } },
  },
];

function executor(
  impl: (name: string, input: unknown) => Promise<{ content: string; isError?: boolean }>,
): ToolExecutor & {
  calls: { name: string; input: unknown; id: string }[];
} {
  const calls: { name: string; input: unknown; id: string }[] = [];
  return {
    definitions,
    calls,
    async execute(name, input, id) {
      calls.push({ name, input, id });
      return impl(name, input);
    },
  };
}

type SentMessage = { role: string; content: unknown };
const sentMessages = (body: { messages: unknown[] }): SentMessage[] => body.messages as SentMessage[];

test('two tool turns, then the final answer', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(
    toolUseReply('list_dir', { path: 'src' }, { toolUseId: 'toolu_1', preamble: 'Looking.' }),
    messageReply([
      { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'src/a.ts' } },
      { type: 'tool_use', id: 'toolu_3', name: 'read_file', input: { path: 'src/b.ts' } },
    ]),
    textReply('Both files export one function.'),
  );
  const tools = executor(async (name, input) => ({ content: `${name}:${(input as { path: string }).path}` }));
  const records: ToolCallRecord[] = [];
  const result = await runToolLoop({
    request: request({ messages: [user('Summarise src')] }),
    tools,
    call,
    limits: { maxTurns: 5 },
    onToolCall: (r) => records.push(r),
  });

  assert.equal(result.text, 'Both files export one function.');
  assert.equal(result.responses.length, 3);
  assert.equal(api.requests.length, 3);
  assert.deepEqual(
    tools.calls.map((c) => [c.name, c.id]),
    [
      ['list_dir', 'toolu_1'],
      ['read_file', 'toolu_2'],
      ['read_file', 'toolu_3'],
    ],
  );
  assert.deepEqual(
    records.map((r) => [r.tool, r.toolUseId, r.input, r.output, r.error]),
    [
      ['list_dir', 'toolu_1', { path: 'src' }, 'list_dir:src', undefined],
      ['read_file', 'toolu_2', { path: 'src/a.ts' }, 'read_file:src/a.ts', undefined],
      ['read_file', 'toolu_3', { path: 'src/b.ts' }, 'read_file:src/b.ts', undefined],
    ],
  );
  assert.ok(records.every((r) => r.durationMs >= 0));
  assert.deepEqual(result.toolCalls, records);

  // Every request carries the tool definitions; later ones the whole exchange so far.
  for (const sent of api.requests) assert.deepEqual(sent.body.tools, definitions);
  const third = sentMessages(api.requests[2]!.body);
  assert.equal(third.length, 5);
  assert.deepEqual(third[1], {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Looking.' },
      { type: 'tool_use', id: 'toolu_1', name: 'list_dir', input: { path: 'src' } },
    ],
  });
  assert.deepEqual(third[2], {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'list_dir:src' }],
  });
  assert.deepEqual(third[4], {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_2', content: 'read_file:src/a.ts' },
      { type: 'tool_result', tool_use_id: 'toolu_3', content: 'read_file:src/b.ts' },
    ],
  });
  assert.equal(result.messages.length, 6);
  assert.equal(
    result.usage.outputTokens,
    result.responses.reduce((n, r) => n + r.usage.outputTokens, 0),
  );
  assert.ok(result.costUsd > 0);
});

test('a tool failure is reported to the model with is_error, not thrown', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(
    toolUseReply('read_file', { path: 'missing.ts' }, { toolUseId: 'toolu_x' }),
    toolUseReply('list_dir', { path: '.' }, { toolUseId: 'toolu_y' }),
    textReply('The file does not exist.'),
  );
  const tools = executor(async (name) => {
    if (name === 'read_file') throw new Error('ENOENT: no such file missing.ts');
    return { content: 'permission denied', isError: true };
  });
  const records: ToolCallRecord[] = [];
  const result = await runToolLoop({
    request: request(),
    tools,
    call,
    limits: { maxTurns: 5 },
    onToolCall: (r) => records.push(r),
  });
  assert.equal(result.text, 'The file does not exist.');
  assert.deepEqual(sentMessages(api.requests[1]!.body)[2], {
    role: 'user',
    content: [
      {
        type: 'tool_result',
        tool_use_id: 'toolu_x',
        content: "Tool 'read_file' failed: ENOENT: no such file missing.ts",
        is_error: true,
      },
    ],
  });
  assert.deepEqual(sentMessages(api.requests[2]!.body)[4], {
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: 'toolu_y', content: 'permission denied', is_error: true }],
  });
  assert.equal(records[0]?.error, "Tool 'read_file' failed: ENOENT: no such file missing.ts");
  assert.equal(records[0]?.output, undefined);
  assert.equal(records[1]?.error, 'permission denied');
});

test('maxTurns stops a model that keeps calling tools', async (t) => {
  const { api, call } = await rig(t);
  api.setDefault(toolUseReply('list_dir', { path: '.' }));
  const tools = executor(async () => ({ content: 'a b c' }));
  await assert.rejects(runToolLoop({ request: request(), tools, call, limits: { maxTurns: 3 } }), (err: unknown) => {
    assert.ok(err instanceof ToolLoopLimitError);
    assert.equal(err.limit, 'max_turns');
    assert.match(err.message, /still using tools after 3 turns \(max-turns\)/);
    assert.equal(err.responses.length, 3);
    assert.equal(err.toolCalls.length, 3);
    return true;
  });
  assert.equal(api.requests.length, 3);
});

test('the cost budget refuses a call that could exceed it, before sending it', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(
    toolUseReply('list_dir', { path: '.' }, { usage: { input_tokens: 10_000, output_tokens: 100 } }),
    textReply('never'),
  );
  const tools = executor(async () => ({ content: 'a b c' }));
  // Opus 4.6 ($5 in, $6.25 cache write, $25 out). Turn 1 could cost ~$0.10 (4000 output tokens)
  // and costs $0.0525; turn 2 could cost ~$0.163 more, which would pass $0.20.
  await assert.rejects(
    runToolLoop({
      request: request({ model: 'claude-opus-4-6', maxTokens: 4000 }),
      tools,
      call,
      limits: { maxTurns: 10, maxCostUsd: 0.2 },
    }),
    (err: unknown) => {
      assert.ok(err instanceof ToolLoopLimitError);
      assert.equal(err.limit, 'max_cost_usd');
      assert.match(
        err.message,
        /Stopped before turn 2: \$0\.0525 spent so far and the next call could cost up to \$0\.16\d\d, over the \$0\.2000 budget \(max-cost-usd\)/,
      );
      assert.equal(err.responses.length, 1);
      assert.equal(err.toolCalls.length, 1, 'the tool of turn 1 still ran');
      return true;
    },
  );
  assert.equal(api.requests.length, 1);
  assert.equal(api.pending(), 1);
});

test('a budget too small for even the first call sends nothing', async (t) => {
  const { api, call } = await rig(t);
  const tools = executor(async () => ({ content: '' }));
  await assert.rejects(
    runToolLoop({
      request: request({ model: 'claude-opus-4-6', maxTokens: 4000 }),
      tools,
      call,
      limits: { maxTurns: 10, maxCostUsd: 0.05 },
    }),
    (err: unknown) => err instanceof ToolLoopLimitError && /Stopped before turn 1/.test(err.message),
  );
  assert.equal(api.requests.length, 0);
});

test('a cost budget on an unpriced model is refused up front', async (t) => {
  const { api, call } = await rig(t);
  const tools = executor(async () => ({ content: '' }));
  await assert.rejects(
    runToolLoop({
      request: request({ model: 'claude-test-model' }),
      tools,
      call,
      limits: { maxTurns: 3, maxCostUsd: 1 },
    }),
    (err: unknown) =>
      err instanceof ToolLoopLimitError && /cannot be enforced for model 'claude-test-model'/.test(err.message),
  );
  assert.equal(api.requests.length, 0);
});

test('the token limit refuses a call that could exceed it', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(toolUseReply('list_dir', { path: '.' }, { usage: { input_tokens: 3_000, output_tokens: 50 } }));
  const tools = executor(async () => ({ content: 'x' }));
  await assert.rejects(
    runToolLoop({
      request: request({ maxTokens: 1_000 }),
      tools,
      call,
      limits: { maxTurns: 10, maxTotalTokens: 6_000 },
    }),
    (err: unknown) => {
      assert.ok(err instanceof ToolLoopLimitError);
      assert.equal(err.limit, 'max_total_tokens');
      assert.match(
        err.message,
        /Stopped before turn 2: 3050 tokens used so far and the next call could use up to 40\d\d more, over the 6000-token limit/,
      );
      return true;
    },
  );
  assert.equal(api.requests.length, 1);
});

test('pause_turn continues the same assistant turn', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('Searching...', { stop_reason: 'pause_turn' }), textReply(' done.'));
  const tools = executor(async () => ({ content: '' }));
  const result = await runToolLoop({ request: request(), tools, call, limits: { maxTurns: 3 } });
  // The turn's text is the whole reply: the part before the pause and the continuation.
  assert.equal(result.text, 'Searching... done.');
  assert.equal(api.requests.length, 2);
  const second = sentMessages(api.requests[1]!.body);
  assert.equal(second.length, 2);
  assert.equal(second[1]?.role, 'assistant');
  assert.equal(result.messages.length, 2, 'one assistant turn');
});

test('a refusal inside the loop stops it', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(toolUseReply('list_dir', { path: '.' }), textReply('', { stop_reason: 'refusal' }));
  const tools = executor(async () => ({ content: 'x' }));
  await assert.rejects(runToolLoop({ request: request(), tools, call, limits: { maxTurns: 5 } }), (err: unknown) => {
    assert.ok(err instanceof ModelStopError);
    assert.equal(err.stopReason, 'refusal');
    assert.equal(err.responses.length, 2);
    return true;
  });
});

test('tools the request already lists are sent once (the API rejects a repeated name)', async (t) => {
  const { api, call } = await rig(t);
  api.enqueue(textReply('No tools needed.'));
  const tools = executor(async () => ({ content: '' }));
  await runToolLoop({ request: request({ tools: [...definitions] }), tools, call, limits: { maxTurns: 2 } });
  assert.deepEqual(api.requests[0]?.body.tools, definitions);
});
