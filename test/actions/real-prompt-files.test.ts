import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gatewayJsonReply, startAnthropicApi, textReply, type AnthropicApi } from '../fakes/anthropic-api.js';
import { Job, type StepResult } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

/**
 * Issue 11, "Real prompt files": what public `.prompt.yml` files and gateways do to run-prompt and
 * promote-prompt, through the shipped bundles against the loopback Messages API.
 */

const RUN_PROMPT = 'actions/run-prompt';
const PROMOTE = 'actions/promote-prompt';
const API_KEY = 'sk-ant-real-files-sentinel-5e6f7a8b';

function write(job: Job, path: string, text: string): string {
  const full = join(job.workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return path;
}

/** Every annotation a step printed (::error, ::warning, ::notice), one entry each. */
function annotations(result: StepResult): string[] {
  return result.stdout.split('\n').filter((line) => /^::(error|warning|notice)\b/.test(line));
}

/** Asserts no ::group:: opens while another is open. */
function assertFlatGroups(result: StepResult): void {
  let depth = 0;
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('::group::')) {
      depth += 1;
      assert.equal(depth, 1, `nested group at: ${line}\n${result.stdout}`);
    } else if (line.startsWith('::endgroup::')) depth -= 1;
  }
  assert.equal(depth, 0, 'every group is closed');
}

const REJECTED_KEYWORDS = ['minimum', 'maximum', 'minLength', 'maxLength', 'maxItems', 'exclusiveMaximum'];

/** Every key name used anywhere in a JSON value. */
function keysIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...keysIn(item)]);
}

const SCORED = `name: Scored
messages:
  - role: user
    content: Rate {{thing}} from 1 to 5.
responseFormat: json_schema
jsonSchema: |
  {
    "name": "score",
    "schema": {
      "type": "object",
      "properties": {
        "score": { "type": "integer", "minimum": 1, "maximum": 5 },
        "why": { "type": "string", "minLength": 3, "maxLength": 200 },
        "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 3 }
      },
      "required": ["score", "why"],
      "additionalProperties": false
    }
  }
`;

describe('real prompt files through the bundles', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });

  function newJob(): Job {
    return new Job({ env: { ANTHROPIC_API_KEY: API_KEY } });
  }

  test('a gateway answering the streaming request with one JSON Message: one request, success, outputs set', async () => {
    const job = newJob();
    const before = api.requests.length;
    api.enqueue(gatewayJsonReply(textReply('Hello from a gateway')));
    const result = await job.uses(RUN_PROMPT, { prompt: 'Say hello.', 'base-url': api.url, cache: 'false' });
    ok(result);
    assert.equal(api.requests.length - before, 1, 'one request, no retry');
    assert.equal(api.requests.at(-1)?.body.stream, true, 'the request streamed');
    assert.equal(result.outputs.text, 'Hello from a gateway');
    assert.equal(result.outputs['stop-reason'], 'end_turn');
    assert.ok(Number(result.outputs['output-tokens']) > 0);
    assert.deepEqual(annotations(result), []);
  });

  test('JSON that is not a Message is one clear error after one request, not five retries', async () => {
    const job = newJob();
    const before = api.requests.length;
    api.enqueue(gatewayJsonReply(textReply('unused'), { status: 'ok', note: 'proxy says hi' }));
    const result = await job.uses(RUN_PROMPT, { prompt: 'Say hello.', 'base-url': api.url, cache: 'false' });
    const error = failed(result);
    assert.equal(api.requests.length - before, 1, 'not retried');
    assert.match(
      error,
      /answered with JSON that is not a Message: \{"status":"ok","note":"proxy says hi"\}\. Check base-url\./,
    );
    assert.equal(annotations(result).length, 1);
  });

  test('the API gets a schema without the keywords it rejects; the full schema is still enforced locally', async () => {
    const job = newJob();
    const file = write(job, 'prompts/scored.prompt.yml', SCORED);
    const before = api.requests.length;
    api.enqueue(
      textReply(JSON.stringify({ score: 9, why: 'great' })),
      textReply(JSON.stringify({ score: 4, why: 'good enough', tags: ['a'] })),
    );
    const result = await job.uses(RUN_PROMPT, {
      'prompt-file': file,
      input: 'thing: tea',
      'base-url': api.url,
      cache: 'false',
    });
    ok(result);
    const sent = api.requests.slice(before);
    assert.equal(sent.length, 2, 'the reply over maximum was repaired with one more turn');
    for (const request of sent) {
      const schema = request.body.output_config?.format?.schema;
      assert.ok(schema, 'native structured output was used');
      const keys = keysIn(schema);
      for (const keyword of REJECTED_KEYWORDS) assert.ok(!keys.includes(keyword), `${keyword} not sent`);
      // What the API cannot enforce travels as a description for the model.
      assert.match(JSON.stringify(schema), /maximum: 5/);
    }
    assert.deepEqual(JSON.parse(result.outputs.json ?? ''), { score: 4, why: 'good enough', tags: ['a'] });
    // One warning for the repaired reply, nothing else.
    assert.deepEqual(annotations(result), ['::warning ::reply 1 is not valid structured output: /score: must be <= 5']);
  });

  test('a reply that keeps violating maximum is refused with one annotation, not a warning and an error', async () => {
    const job = newJob();
    const file = write(job, 'prompts/scored.prompt.yml', SCORED);
    api.enqueue(
      textReply(JSON.stringify({ score: 7, why: 'too high' })),
      textReply(JSON.stringify({ score: 8, why: 'still too high' })),
    );
    const result = await job.uses(RUN_PROMPT, {
      'prompt-file': file,
      input: 'thing: tea',
      'base-url': api.url,
      cache: 'false',
      'max-repairs': '1',
    });
    const error = failed(result);
    assert.match(error, /not valid structured output after 2 tries/);
    assert.match(error, /\/score: must be <= 5/);
    const notes = annotations(result);
    assert.equal(notes.filter((line) => line.startsWith('::error')).length, 1);
    assert.deepEqual(
      notes.filter((line) => line.startsWith('::warning')),
      ['::warning ::reply 1 is not valid structured output: /score: must be <= 5'],
      'the last invalid reply is the error alone',
    );
  });

  test('evaluators run-prompt does not use never stop it: unknown kinds and broken ones are warnings', async () => {
    const job = newJob();
    const file = write(
      job,
      'prompts/odd.prompt.yml',
      `messages:
  - role: user
    content: Hi
testData:
  - input: x
evaluators:
  - name: future
    python: check.py
  - name: judge without choices
    llm:
      modelId: openai/gpt-4o
      prompt: Is {{completion}} good?
  - name: similar
    uses: github/similarity
`,
    );
    api.enqueue(textReply('Hello'));
    const result = await job.uses(RUN_PROMPT, { 'prompt-file': file, 'base-url': api.url, cache: 'false' });
    ok(result);
    assert.equal(result.outputs.text, 'Hello');
    const warnings = result.warnings.join('\n');
    assert.match(
      warnings,
      /odd\.prompt\.yml:7: evaluators\[0\] needs one of string, llm, uses, jsonSchema; run-prompt uses no evaluator, so the prompt runs/,
    );
    assert.match(warnings, /odd\.prompt\.yml:10: evaluators\[1\]\.llm\.choices is required/);

    // The eval gate needs every evaluator: it refuses, naming the first at its line, and writes nothing.
    const gate = await job.uses(PROMOTE, { 'prompt-file': file, 'base-url': api.url, mode: 'local' });
    const refusal = failed(gate);
    assert.match(
      refusal,
      /evaluators\[0\] needs one of string, llm, uses, jsonSchema; the eval gate needs every evaluator readable/,
    );
    assert.match(gate.stdout, /::error title=autostack,file=prompts\/odd\.prompt\.yml,line=7::/);
    assert.equal(annotations(gate).filter((line) => line.startsWith('::error')).length, 1);
    assert.ok(!existsSync(join(job.workspace, '.autostack', 'prompts.lock.yml')), 'nothing written');
  });

  test('a gate whose evaluators are all GitHub-hosted is refused in one line, before any model call', async () => {
    const job = newJob();
    const file = write(
      job,
      'prompts/hosted.prompt.yml',
      `messages:
  - role: user
    content: Summarise {{input}}
testData:
  - input: a
  - input: b
evaluators:
  - name: similar
    uses: github/similarity
  - name: coherent
    uses: github/coherence
`,
    );
    const before = api.requests.length;
    const result = await job.uses(PROMOTE, { 'prompt-file': file, 'base-url': api.url, mode: 'local' });
    const error = failed(result);
    assert.equal(
      error,
      "Promotion refused: every evaluator of prompts/hosted.prompt.yml is GitHub-hosted ('similar' (github/similarity), 'coherent' (github/coherence)) and runs only on GitHub Models, so the gate would check nothing. Add a string, llm or jsonSchema evaluator, or set eval: false. Nothing was written.",
    );
    assert.equal(annotations(result).length, 1, 'one annotation');
    assert.equal(api.requests.length, before, 'no case was run');
    assert.equal(result.outputs.refused, 'true');
    assert.match(result.summary, /Promotion refused: every evaluator/);
    assert.ok(!existsSync(join(job.workspace, '.autostack', 'prompts.lock.yml')), 'nothing written');
  });

  test('GitHub-hosted evaluators beside countable ones show as skipped in the log, the report and the CLI; no nested groups', async () => {
    const job = newJob();
    const file = write(
      job,
      'prompts/mixed.prompt.yml',
      `name: Mixed
futureField: kept for GitHub
messages:
  - role: user
    content: Greet {{name}}
testData:
  - name: Ada
  - name: Bob
evaluators:
  - name: greets
    string:
      contains: hello
  - name: similar
    uses: github/similarity
`,
    );
    api.setDefault(textReply('Hello there'));
    try {
      const dry = await job.uses(PROMOTE, {
        'prompt-file': file,
        'base-url': api.url,
        mode: 'local',
        'dry-run': 'true',
      });
      ok(dry);
      assert.equal(dry.outputs['pass-rate'], '1');
      assert.match(
        dry.stdout,
        /eval: skipped 'similar' \(github\/similarity\): GitHub-hosted evaluators run only on GitHub Models; counted neither way/,
      );
      assert.match(
        dry.summary,
        /Skipped: 'similar' \(github\/similarity\): GitHub-hosted evaluators run only on GitHub Models/,
      );
      assertFlatGroups(dry);
      // The file's warning once, not once more per test case.
      assert.equal(annotations(dry).filter((line) => line.includes("unknown field 'futureField'")).length, 1);

      const cli = await job.cli(['promote', '--prompt-file', file, '--base-url', api.url, '--dry-run', 'true']);
      assert.equal(cli.exitCode, 0, cli.stderr);
      assert.match(cli.stderr, /eval: skipped 'similar' \(github\/similarity\)/);
      assert.match(cli.stderr, /Skipped: 'similar' \(github\/similarity\)/);
    } finally {
      api.setDefault(textReply('OK'));
    }
  });
});
