// promote-prompt's eval gate at scale: cases run concurrently through a bounded pool (report in
// file order), `repeat` with `minPasses` for nondeterministic cases (every repeat a real call),
// and pushback from the API slowing the pool instead of failing cases. Through the shipped bundle
// (action and CLI) against the loopback Messages API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  errorReply,
  slowReply,
  startAnthropicApi,
  textReply,
  type AnthropicApi,
  type FakeReply,
  type MessagesRequestBody,
} from '../fakes/anthropic-api.js';
import { CLI_BUNDLE, Job, visibleLog } from '../harness/job.js';
import { useTempDir } from '../harness/fixtures.js';
import { failed, ok } from './step-assertions.js';

const PROMOTE = 'actions/promote-prompt';
const LOCK = '.autostack/prompts.lock.yml';
const API_KEY = 'sk-ant-repeat-sentinel-9f8e7d6c5b4a';
const NAMES = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay'];

/** A greeter whose cases pass when the reply says hello and the name; `extra` goes at the top level. */
function greeter(testData: string, extra = ''): string {
  return `name: Greeter
version: '1.0'
model: claude-haiku-5-5
${extra}messages:
  - role: user
    content: Say hello to {{name}}.
testData:
${testData}evaluators:
  - name: greets
    string:
      contains: 'hello {{name}}'
`;
}

function write(root: string, path: string, text: string): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

/** The name a request is about (the case it belongs to). */
function nameIn(body: MessagesRequestBody): string {
  const sent = JSON.stringify(body.messages);
  return NAMES.find((name) => sent.includes(`to ${name}.`)) ?? '?';
}

interface JournalLine {
  type: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheHit?: boolean;
  data?: { eval?: { cases: Array<{ case: number; passes: number; repeat: number }>; inputTokens: number } };
}

function journal(path: string): JournalLine[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JournalLine);
}

describe('promote-prompt: concurrent cases and repeat (bundle, Messages API fake)', () => {
  let api: AnthropicApi;
  before(async () => {
    api = await startAnthropicApi();
  });
  after(async () => {
    await api.close();
  });
  beforeEach(() => api.setResponder(undefined));

  function newJob(): Job {
    const job = new Job({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: api.url } });
    job.env['AUTOSTACK_JOURNAL'] = join(job.runnerTemp, 'journal.jsonl');
    job.env['AUTOSTACK_RUN_ID'] = '20261202T220000Z-0123456789ab';
    return job;
  }

  test('cases overlap up to the concurrency limit; the log, report and journal keep file order', async () => {
    const job = newJob();
    const prompt = 'prompts/six.prompt.yml';
    write(job.workspace, prompt, greeter(NAMES.map((name) => `  - name: ${name}\n`).join('')));
    // Case 1 answers last; case 3 fails.
    api.setResponder((body) => {
      const name = nameIn(body);
      const reply = textReply(name === 'Cy' ? 'Go away.' : `Hello ${name}!`);
      return slowReply(name === 'Ada' ? 600 : 150, reply);
    });
    const calls = api.requests.length;
    const result = await job.uses(PROMOTE, {
      'prompt-file': prompt,
      mode: 'local',
      concurrency: '3',
      'min-pass-rate': '0.8',
    });
    ok(result);
    assert.equal(api.requests.length - calls, 6, 'one call per case');
    assert.ok(api.load.peakInFlight > 1, `runs overlapped (max in flight ${api.load.peakInFlight})`);
    assert.ok(api.load.peakInFlight <= 3, `never more than concurrency 3 (max in flight ${api.load.peakInFlight})`);

    const logged = [...visibleLog(result).matchAll(/eval 1\.0 case (\d): (pass|FAIL)/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(logged, ['1 pass', '2 pass', '3 FAIL', '4 pass', '5 pass', '6 pass'], 'log lines in file order');
    const rows = [...result.summary.matchAll(/^\| (\d) · name: (\w+) \| (✅|❌)/gm)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    assert.deepEqual(
      rows,
      ['1 Ada ✅', '2 Bob ✅', '3 Cy ❌', '4 Dee ✅', '5 Eve ✅', '6 Fay ✅'],
      'report in file order',
    );
    assert.match(result.summary, /Gate: min-pass-rate 0\.8, concurrency 3/);
    const verdicts = journal(job.env['AUTOSTACK_JOURNAL']!).find((line) => line.data?.eval)?.data?.eval;
    assert.deepEqual(
      verdicts?.cases.map((entry) => entry.case),
      [1, 2, 3, 4, 5, 6],
      'the journal keeps file order',
    );
  });

  test('a flaky case repeats with real calls and passes on minPasses; the lock and record count every run', async () => {
    const job = newJob();
    const prompt = 'prompts/flaky.prompt.yml';
    write(job.workspace, prompt, greeter('  - name: Ada\n    repeat: 5\n    minPasses: 3\n  - name: Bob\n'));
    // Ada's replies alternate pass, fail, pass, fail, pass: 3 of 5.
    let ada = 0;
    api.setResponder((body) => {
      const name = nameIn(body);
      if (name !== 'Ada') return textReply(`Hello ${name}!`);
      return textReply(ada++ % 2 === 0 ? 'Hello Ada!' : 'Whatever.');
    });
    const calls = api.requests.length;
    const result = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local' });
    ok(result);
    assert.equal(api.requests.length - calls, 6, 'five runs of Ada (no cache between repeats) and one of Bob');
    assert.match(result.summary, /\| 1 · name: Ada \| ✅ pass 3\/5 passed \(needs 3\)/);
    assert.match(result.summary, /\| \*\*Model runs\*\* \| 6 \(repeat\) \|/);
    assert.match(visibleLog(result), /eval 1\.0 case 1: pass: 3\/5 passed \(needs 3\)/);

    const lock = parseYaml(readFileSync(join(job.workspace, LOCK), 'utf8')) as {
      prompts: Record<string, Record<string, { eval: Record<string, unknown> & { cases: unknown[] } }>>;
    };
    const summary = lock.prompts[prompt]?.['production']?.eval;
    assert.deepEqual(summary?.cases[0], { case: 1, passed: true, passes: 3, repeat: 5, minPasses: 3 });
    const lines = journal(job.env['AUTOSTACK_JOURNAL']!);
    const paid = lines.filter((line) => line.type === 'model.call' && line.cacheHit !== true);
    assert.equal(paid.length, 6, 'the run record gets every run as a paid model.call');
    const tokens = paid.reduce((total, line) => total + (line.inputTokens ?? 0), 0);
    assert.equal(summary?.['inputTokens'], tokens, "the lock's eval summary counts every run's tokens");
    assert.match(result.summary, new RegExp(`\\| \\*\\*Tokens in/out\\*\\* \\| ${tokens}/`));

    // The same file again with minPasses 4 (every case fresh, the repeats uncached): refused.
    write(job.workspace, prompt, greeter('  - name: Ada\n    repeat: 5\n    minPasses: 4\n  - name: Bob\n'));
    ada = 0;
    const again = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local', channel: 'staging' });
    assert.match(failed(again), /passes 1\/2 cases/);
    assert.match(again.summary, /\| 1 · name: Ada \| ❌ fail 3\/5 passed \(needs 4\): greets/);
    assert.equal(again.outputs['refused'], 'true');
  });

  test('the repeat and min-passes inputs apply to cases that set none; a case of its own keeps its setting', async () => {
    const job = newJob();
    const prompt = 'prompts/inputs.prompt.yml';
    write(job.workspace, prompt, greeter('  - name: Ada\n  - name: Bob\n    repeat: 1\n', 'repeat: 2\n'));
    api.setResponder((body) => textReply(`Hello ${nameIn(body)}!`));
    const calls = api.requests.length;
    const result = await job.uses(PROMOTE, {
      'prompt-file': prompt,
      mode: 'local',
      repeat: '3',
      'min-passes': '2',
    });
    ok(result);
    assert.equal(api.requests.length - calls, 4, 'Ada 3 times (the input beats the file), Bob once (his own)');
    assert.match(result.summary, /\| 1 · name: Ada \| ✅ pass 3\/3 passed \(needs 2\)/);
    assert.match(result.summary, /\| 2 · name: Bob \| ✅ pass ·/);
  });

  test('rate limits after the retries slow the pool down instead of failing cases', async () => {
    const job = newJob();
    const prompt = 'prompts/busy.prompt.yml';
    write(
      job.workspace,
      prompt,
      greeter(
        NAMES.slice(0, 4)
          .map((name) => `  - name: ${name}\n`)
          .join(''),
      ),
    );
    // Ada's and Bob's first 6 requests are refused: more than a run's 5 attempts, so both runs give up once.
    const refused = new Map<string, number>();
    api.setResponder((body): FakeReply => {
      const name = nameIn(body);
      const count = refused.get(name) ?? 0;
      if ((name === 'Ada' || name === 'Bob') && count < 6) {
        refused.set(name, count + 1);
        return errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '5' });
      }
      return slowReply(30, textReply(`Hello ${name}!`));
    });
    const result = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local', concurrency: '4' });
    ok(result);
    assert.match(result.summary, /\*\*Pass rate\*\* \| \*\*4\/4 \(100%\)\*\*/, 'no case failed');
    assert.match(visibleLog(result), /eval: concurrency 4 → 2 \(the API is pushing back\)/);
    assert.match(visibleLog(result), /running it again at concurrency/);
  });

  test('bad repeat settings stop the step before any call: one line with the file and line, or the input', async () => {
    const job = newJob();
    const prompt = 'prompts/bad.prompt.yml';
    write(job.workspace, prompt, greeter('  - name: Ada\n    repeat: 0\n'));
    const calls = api.requests.length;
    const bad = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local' });
    assert.match(failed(bad), /prompts\/bad\.prompt\.yml:9: .*testData\[0\]\.repeat/);

    write(job.workspace, prompt, greeter('  - name: Ada\n    minPasses: 3\n', 'repeat: 2\n'));
    const over = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local' });
    assert.match(
      failed(over),
      /prompts\/bad\.prompt\.yml:9: testData\[0\] minPasses is 3, more than the 2 runs it gets \(repeat 2\)/,
    );

    const input = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local', repeat: '2', 'min-passes': '5' });
    assert.match(failed(input), /Input 'min-passes' is 5, more than 'repeat' \(2\)/);
    const range = await job.uses(PROMOTE, { 'prompt-file': prompt, mode: 'local', concurrency: '0' });
    assert.match(failed(range), /Input 'concurrency' must be a whole number from 1 to 32/);
    assert.equal(api.requests.length, calls, 'no model call');
  });

  test('the CLI takes the same settings as flags: --concurrency, --repeat, --min-passes', async (t) => {
    const dir = useTempDir(t, 'autostack-promote-cli-');
    const prompt = 'prompts/cli.prompt.yml';
    write(dir, prompt, greeter('  - name: Ada\n  - name: Bob\n'));
    let ada = 0;
    api.setResponder((body) => {
      const name = nameIn(body);
      const pass = name !== 'Ada' || ada++ % 2 === 0;
      return slowReply(100, textReply(pass ? `Hello ${name}!` : 'No.'));
    });
    const calls = api.requests.length;
    const run = promisify(execFile);
    const { stdout, stderr } = await run(
      process.execPath,
      [
        CLI_BUNDLE,
        'promote',
        '--prompt-file',
        prompt,
        '--concurrency',
        '2',
        '--repeat',
        '3',
        '--min-passes',
        '2',
        '--json',
      ],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          // Response files go under the temp folder: this test's, so nothing is left in /tmp.
          TMPDIR: dir,
          XDG_STATE_HOME: join(dir, 'state'),
          ANTHROPIC_API_KEY: API_KEY,
          ANTHROPIC_BASE_URL: api.url,
        },
      },
    );
    assert.equal(api.requests.length - calls, 6);
    assert.equal((JSON.parse(stdout) as Record<string, string>)['pass-rate'], '1');
    assert.match(stderr, /eval 1\.0 case 1: pass: 2\/3 passed \(needs 2\)/);
    assert.ok(!stderr.includes(API_KEY), 'the key stays out of the output');
  });
});
