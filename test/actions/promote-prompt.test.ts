import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startAnthropicApi, textReply, type AnthropicApi } from '../fakes/anthropic-api.js';
import { startGitHubApi, type GitHubApi, type RecordedRequest } from '../fakes/github-api.js';
import { Job, visibleLog, type StepResult } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

const PROMOTE = 'actions/promote-prompt';
const RUN_PROMPT = 'actions/run-prompt';
const LOCK = '.autostack/prompts.lock.yml';
const PROMPT = 'prompts/greet.prompt.yml';
const API_KEY = 'sk-ant-promote-sentinel-0a1b2c3d4e5f';
const TOKEN = 'ghs_promote_token_0123456789abcdef';

/** A prompt whose test cases check that the reply greets the person by name. */
function greeter(version: string, wording: string): string {
  return `name: Greeter
version: '${version}'
model: claude-haiku-5-5
modelParameters:
  maxTokens: 200
messages:
  - role: system
    content: You are friendly.
  - role: user
    content: ${wording} {{name}}.
testData:
  - name: Ada
  - name: Bob
evaluators:
  - name: greets
    string:
      contains: hello
  - name: names them
    string:
      contains: '{{name}}'
`;
}
const V1 = greeter('1.0', 'Say hello to');
const V2 = greeter('2.0', 'Warmly say hello to');

interface LockEntryShape {
  contentHash: string;
  version: string | null;
  snapshot: string;
  commit: string;
  promotedBy: string;
  eval: { passRate: number; passed: number; total: number } | null;
  rollbackOf?: string;
  previous: Array<{ contentHash: string; version: string | null }>;
}

function lockEntry(text: string | undefined, channel = 'production'): LockEntryShape {
  assert.ok(text, 'lock file exists');
  const lock = parseYaml(text) as { format: string; prompts: Record<string, Record<string, LockEntryShape>> };
  assert.equal(lock.format, 'autostack.prompts-lock/v1');
  const entry = lock.prompts[PROMPT]?.[channel];
  assert.ok(entry, `lock has ${PROMPT} on ${channel}`);
  return entry;
}

function write(job: Job, path: string, text: string): void {
  const full = join(job.workspace, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

function writes(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.method !== 'GET');
}

describe('promote-prompt (bundle, GitHub REST fake, Messages API fake)', () => {
  let gh: GitHubApi;
  let api: AnthropicApi;

  before(async () => {
    gh = await startGitHubApi({ requireToken: TOKEN, quiet: true });
    api = await startAnthropicApi();
  });
  after(async () => {
    await gh.close();
    await api.close();
  });
  beforeEach(() => api.setResponder(undefined));

  /** Cases run concurrently, so each test case's reply is chosen by the name in its request, not by arrival order. */
  function answer(replies: Record<string, string>): void {
    api.setResponder((body) => {
      const sent = JSON.stringify(body.messages);
      const name = Object.keys(replies).find((key) => sent.includes(key));
      return name === undefined ? undefined : textReply(replies[name] ?? '');
    });
  }

  function newJob(options: { repo: string; eventName?: string; eventPayload?: Record<string, unknown> }): Job {
    gh.repo(options.repo);
    return new Job({
      env: {
        ANTHROPIC_API_KEY: API_KEY,
        ANTHROPIC_BASE_URL: api.url,
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: options.repo,
      },
      githubToken: TOKEN,
      ...(options.eventName ? { eventName: options.eventName } : {}),
      ...(options.eventPayload ? { eventPayload: options.eventPayload } : {}),
    });
  }

  test('pull-request mode: the eval passes, a pull request changes the lock file, with the eval table and the prompt diff', async () => {
    const repo = 'octo-org/promote-pr';
    const job = newJob({ repo });
    const journal = join(job.runnerTemp, 'journal.jsonl');
    job.env['AUTOSTACK_JOURNAL'] = journal;
    job.env['AUTOSTACK_RUN_ID'] = '20261125T090000Z-0123456789ab';
    write(job, PROMPT, V1);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello, Bob.' });
    const calls = api.requests.length;

    const result = await job.uses(PROMOTE, { 'prompt-file': PROMPT });
    ok(result);
    assert.equal(api.requests.length - calls, 2, 'one call per test case');
    assert.equal(result.outputs['version'], '1.0');
    assert.equal(result.outputs['previous-version'], '');
    assert.equal(result.outputs['pass-rate'], '1');
    assert.equal(result.outputs['promoted'], 'false', 'the channel moves when the pull request is merged');
    assert.match(result.outputs['pull-request-url'] ?? '', /\/pull\/\d+$/);

    const model = gh.repo(repo);
    const pulls = [...model.pulls.values()];
    assert.equal(pulls.length, 1);
    const pull = pulls[0]!;
    assert.equal(pull.base, 'main');
    assert.equal(pull.head, 'autostack/promote/production/prompts-greet');
    const body = model.issues.get(pull.number)?.body ?? '';
    assert.match(body, /\| Case \| Candidate `1\.0` \|/, 'eval table header');
    assert.match(body, /\| 1 · name: Ada \| ✅ pass/);
    assert.match(body, /\*\*Pass rate\*\* \| \*\*2\/2 \(100%\)\*\*/);
    assert.match(
      body,
      /```diff\n--- \/dev\/null\n\+\+\+ prompts\/greet\.prompt\.yml \(1\.0\)\n@@ -0,0 \+1,20 @@\n\+name: Greeter/,
      'the prompt diff',
    );
    assert.match(body, /\+    content: Say hello to \{\{name\}\}\./);

    // The lock file and the snapshot are committed on the pull request's branch, not on main.
    const entry = lockEntry(gh.readFile(LOCK, { repo, ref: pull.head }));
    assert.equal(entry.version, '1.0');
    assert.match(entry.contentHash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(entry.commit, 'a'.repeat(40));
    assert.equal(entry.promotedBy, 'octocat');
    assert.deepEqual(
      entry.eval && { passRate: entry.eval.passRate, passed: entry.eval.passed, total: entry.eval.total },
      { passRate: 1, passed: 2, total: 2 },
    );
    assert.deepEqual(entry.previous, []);
    assert.equal(gh.readFile(entry.snapshot, { repo, ref: pull.head }), V1, 'the snapshot holds the promoted content');
    assert.equal(gh.readFile(LOCK, { repo }), undefined, 'main is unchanged until the merge');
    assert.match(result.summary, /\| Case \| Candidate `1\.0` \|/, 'the job summary has the table');

    // Every GitHub write is in the run journal.
    const touched = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>)
      .filter((event) => event['type'] === 'system.touched' && event['system'] === 'github');
    assert.deepEqual(
      touched.map((event) => event['operation']),
      ['git.ref.create', 'contents.put', 'contents.put', 'pulls.create', 'issues.comment.create'],
    );
    assert.ok(touched.every((event) => event['target'] === repo));

    // The next push to main (a new wording) updates the same pull request, its branch and its one comment.
    write(job, PROMPT, V2);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    const again = await job.uses(PROMOTE, { 'prompt-file': PROMPT });
    ok(again);
    assert.equal(again.outputs['pull-request-url'], result.outputs['pull-request-url']);
    assert.equal(model.pulls.size, 1, 'no second pull request');
    const updated = model.issues.get(pull.number)?.body ?? '';
    assert.match(updated, /Candidate `2\.0`/);
    assert.match(updated, /^\+    content: Warmly say hello to \{\{name\}\}\.$/m);
    assert.equal(lockEntry(gh.readFile(LOCK, { repo, ref: pull.head })).version, '2.0');
    const comments = [...model.comments.values()].filter((comment) => comment.issueNumber === pull.number);
    assert.equal(comments.length, 1, 'one sticky comment on the promotion pull request');
    assert.match(comments[0]!.body, /Candidate `2\.0`/);
  });

  test('commit mode, side by side, refusal writes nothing, cached cases are not paid twice, rollback restores the previous version', async () => {
    const repo = 'octo-org/promote-commit';
    const job = newJob({ repo });
    write(job, PROMPT, V1);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    const first = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit' });
    ok(first);
    assert.equal(first.outputs['promoted'], 'true');
    const v1 = lockEntry(gh.readFile(LOCK, { repo }));
    assert.equal(v1.version, '1.0');
    assert.equal(first.outputs['committed-sha'], gh.repo(repo).branches.get('main'));

    // A regression: case 1 no longer says hello. The promoted version runs beside it from the cache.
    write(job, PROMPT, V2);
    answer({ Ada: 'Hi there Ada.', Bob: 'Hello Bob!' });
    const calls = api.requests.length;
    const before = gh.requests.length;
    const mainBefore = gh.repo(repo).branches.get('main');
    const refused = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit' });
    const error = failed(refused);
    assert.match(
      error,
      /Promotion refused: prompts\/greet\.prompt\.yml 2\.0 passes 1\/2 cases \(50%\), below min-pass-rate 1\. Nothing was written\./,
    );
    assert.equal(refused.outputs['refused'], 'true');
    assert.equal(refused.outputs['pass-rate'], '0.5');
    assert.equal(refused.outputs['previous-version'], '1.0');
    assert.equal(
      api.requests.length - calls,
      2,
      'only the candidate was paid for; the promoted version came from the cache',
    );
    assert.deepEqual(writes(gh.requests.slice(before)), [], 'no GitHub writes');
    assert.equal(gh.repo(repo).branches.get('main'), mainBefore);
    assert.match(refused.summary, /\| Case \| Candidate `2\.0` \| Promoted `1\.0` \|/);
    assert.match(
      refused.summary,
      /\| 1 · name: Ada \| ❌ fail: greets \(expected to contain 'hello'\) · \$[\d.]+, \d+\/\d+ tok \| ✅ pass · cached, \$0 \|/,
    );

    // A lower bar lets 2.0 through; 1.0 becomes its previous version.
    const promoted = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit', 'min-pass-rate': '0.5' });
    ok(promoted);
    assert.equal(api.requests.length - calls, 2, 'every case of both versions was cached this time');
    const v2 = lockEntry(gh.readFile(LOCK, { repo }));
    assert.equal(v2.version, '2.0');
    assert.deepEqual(
      v2.previous.map((entry) => entry.version),
      ['1.0'],
    );

    // Rollback: 1.0 again, with no eval and nothing left to roll back to.
    const rollback = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit', rollback: 'true' });
    ok(rollback);
    assert.equal(rollback.outputs['version'], '1.0');
    assert.equal(rollback.outputs['previous-version'], '2.0');
    assert.equal(api.requests.length - calls, 2, 'a rollback makes no model call');
    const back = lockEntry(gh.readFile(LOCK, { repo }));
    assert.equal(back.contentHash, v1.contentHash);
    assert.equal(back.rollbackOf, v2.contentHash);
    assert.deepEqual(back.previous, []);
    assert.equal(gh.readFile(back.snapshot, { repo }), V1);

    const nothing = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit', rollback: 'true' });
    assert.match(
      failed(nothing),
      /Nothing to roll back: channel 'production' of prompts\/greet\.prompt\.yml has no previous version/,
    );
  });

  test('run-prompt with a channel runs the promoted content, not an unpromoted edit', async () => {
    const job = newJob({ repo: 'octo-org/promote-local' });
    write(job, PROMPT, V1);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    const promoted = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'local' });
    ok(promoted);
    assert.equal(promoted.outputs['promoted'], 'true');
    const lockText = readFileSync(join(job.workspace, LOCK), 'utf8');
    lockEntry(lockText);

    // Promoting what the channel already holds is a no-op: no eval, no write.
    const before = api.requests.length;
    const same = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'local' });
    ok(same);
    assert.equal(same.outputs['promoted'], 'false');
    assert.match(
      same.stdout,
      /::notice::prompts\/greet\.prompt\.yml 1\.0 is already promoted to 'production'; nothing to do\./,
    );
    assert.equal(api.requests.length, before);
    assert.equal(readFileSync(join(job.workspace, LOCK), 'utf8'), lockText);

    write(job, PROMPT, V2.replace('Warmly say hello to', 'Shout at'));
    api.enqueue(textReply('Hello Cy!'));
    const calls = api.requests.length;
    const run = await job.uses(RUN_PROMPT, {
      'prompt-file': PROMPT,
      channel: 'production',
      input: 'name: Cy',
      cache: 'false',
    });
    ok(run);
    assert.equal(api.requests.length - calls, 1);
    const sent = JSON.stringify(api.requests.at(-1)?.body.messages);
    assert.match(sent, /Say hello to Cy\./, 'the promoted wording');
    assert.doesNotMatch(sent, /Shout at/);
    assert.equal(run.outputs['prompt-version'], '1.0');

    const none = await job.uses(RUN_PROMPT, { 'prompt-file': PROMPT, channel: 'staging', input: 'name: Cy' });
    assert.match(
      failed(none),
      /Nothing is promoted to channel 'staging' for prompts\/greet\.prompt\.yml \(it has: production\)/,
    );
  });

  test('a corrupt lock file and a snapshot hash mismatch are clear errors and change nothing', async () => {
    const repo = 'octo-org/promote-corrupt';
    const job = newJob({ repo });
    write(job, PROMPT, V1);
    const corrupt = [
      'format: autostack.prompts-lock/v1',
      'prompts:',
      `  ${PROMPT}:`,
      '    production:',
      '      contentHash: sha256:e71ff89b', // a hand edit cut the hash short
      "      version: '1.0'",
      '      snapshot: .autostack/prompt-snapshots/e71ff89b.prompt.yml',
      '      commit: 0123456789abcdef',
      '      promotedBy: octocat',
      "      promotedAt: '2026-11-25T09:00:00.000Z'",
      '      eval: null',
      '',
    ].join('\n');
    gh.commitFiles({ [LOCK]: corrupt }, { repo, message: 'hand edit' });
    const before = gh.requests.length;
    const calls = api.requests.length;
    const result = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit' });
    const error = failed(result);
    assert.match(
      error,
      /^\.autostack\/prompts\.lock\.yml \(octo-org\/promote-corrupt@main\):5: prompt lock: prompts\["prompts\/greet\.prompt\.yml"\]\.production\.contentHash must be sha256: followed by 64 hex digits$/m,
    );
    assert.deepEqual(writes(gh.requests.slice(before)), []);
    assert.equal(api.requests.length, calls, 'no model call either');
    assert.equal(gh.readFile(LOCK, { repo }), corrupt);

    // Locally: promote, then tamper with the snapshot.
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    ok(await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'local' }));
    const lockText = readFileSync(join(job.workspace, LOCK), 'utf8');
    const entry = lockEntry(lockText);
    write(job, entry.snapshot, V1.replace('You are friendly.', 'You are rude.'));
    const run = await job.uses(RUN_PROMPT, { 'prompt-file': PROMPT, channel: 'production', input: 'name: Cy' });
    assert.match(
      failed(run),
      new RegExp(
        `${entry.snapshot.replace(/\./g, '\\.')}: hash mismatch for prompts/greet\\.prompt\\.yml on channel 'production': the lock file records ${entry.contentHash} but the snapshot hashes to sha256:[0-9a-f]{64}`,
      ),
    );
    write(job, PROMPT, V2);
    const again = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'local' });
    assert.match(failed(again), /hash mismatch/);
    assert.equal(readFileSync(join(job.workspace, LOCK), 'utf8'), lockText, 'the lock file is unchanged');
  });

  test('on a pull_request event the eval table is one sticky comment, updated on every push', async () => {
    const repo = 'octo-org/promote-sticky';
    gh.repo(repo);
    const number = gh.openPull({ head: 'feature/wording', title: 'Better greeting', files: { [PROMPT]: V1 } }, repo);
    const job = newJob({
      repo,
      eventName: 'pull_request',
      eventPayload: { action: 'synchronize', number, pull_request: { number } },
    });
    write(job, PROMPT, V1);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    ok(await job.uses(PROMOTE, { 'prompt-file': PROMPT, 'dry-run': 'true' }));

    write(job, PROMPT, V2);
    answer({ Ada: 'Hello Ada!', Bob: 'Hi Bob' });
    const second = await job.uses(PROMOTE, { 'prompt-file': PROMPT, 'dry-run': 'true', 'min-pass-rate': '0.5' });
    ok(second);
    assert.equal(second.outputs['pass-rate'], '0.5');

    const comments = [...gh.repo(repo).comments.values()].filter((comment) => comment.issueNumber === number);
    assert.equal(comments.length, 1, 'one comment, updated in place');
    assert.match(comments[0]!.body, /^<!-- autostack:promote-prompt prompts\/greet\.prompt\.yml production -->/);
    assert.match(comments[0]!.body, /Candidate `2\.0`/);
    assert.match(comments[0]!.body, /Dry run/);
    assert.equal(gh.readFile(LOCK, { repo }), undefined, 'a dry run writes no lock file');
    assert.equal(gh.repo(repo).pulls.size, 1, 'and opens no pull request');
    assert.ok(!visibleLog(second).includes(API_KEY) && !visibleLog(second).includes(TOKEN), 'secrets stay masked');
  });
  test('json-schema and llm-judge evaluators; version: staging promotes what staging holds', async () => {
    const job = newJob({ repo: 'octo-org/promote-judge' });
    const judged = `name: Labeller
version: '3.1'
model: claude-haiku-5-5
messages:
  - role: user
    content: 'Label this issue as JSON: {{title}}'
testData:
  - title: App crashes
    expected: bug
  - title: Add dark mode
    expected: feature
evaluators:
  - name: is label JSON
    jsonSchema:
      schema:
        type: object
        required: [label]
        properties:
          label: { enum: [bug, feature] }
  - name: judge agrees
    llm:
      modelId: openai/gpt-4o-mini
      systemPrompt: You grade labels.
      prompt: 'Expected {{expected}}. Got {{completion}}. Correct? Answer yes or no.'
      choices:
        - choice: 'yes'
          score: 1
        - choice: 'no'
          score: 0
`;
    write(job, 'prompts/label.prompt.yml', judged);
    api.enqueue(textReply('{"label":"bug"}'), textReply('yes'), textReply('feature, I think'), textReply('No.'));
    const calls = api.requests.length;
    const result = await job.uses(PROMOTE, {
      'prompt-file': 'prompts/label.prompt.yml',
      channel: 'staging',
      mode: 'local',
      'min-pass-rate': '0.5',
      // Scripted in order (case, its judge, case, its judge), so one run at a time.
      concurrency: '1',
    });
    ok(result);
    assert.equal(result.outputs['pass-rate'], '0.5');
    assert.equal(api.requests.length - calls, 4, 'a judge call after each case');
    const judge = api.requests[calls + 1]!.body;
    assert.equal(JSON.stringify(judge.system).includes('You grade labels.'), true);
    assert.match(JSON.stringify(judge.messages), /Expected bug\. Got \{\\"label\\":\\"bug\\"\}\. Correct\?/);
    assert.match(result.summary, /\| 1 · title: App crashes \| ✅ pass/);
    assert.match(
      result.summary,
      /\| 2 · title: Add dark mode \| ❌ fail: is label JSON \(The reply is not valid JSON[^)]*\); judge agrees \(judge chose 'no' \(score 0\)\)/,
    );

    // Production takes exactly what staging holds, even though the file changes meanwhile.
    write(job, 'prompts/label.prompt.yml', judged.replace("version: '3.1'", "version: '3.2'"));
    const production = await job.uses(PROMOTE, {
      'prompt-file': 'prompts/label.prompt.yml',
      version: 'staging',
      mode: 'local',
      eval: 'false',
    });
    ok(production);
    assert.equal(production.outputs['version'], '3.1');
    const lock = parseYaml(readFileSync(join(job.workspace, LOCK), 'utf8')) as {
      prompts: Record<string, Record<string, LockEntryShape>>;
    };
    const channels = lock.prompts['prompts/label.prompt.yml']!;
    assert.equal(channels['production']!.contentHash, channels['staging']!.contentHash);
    assert.equal(channels['production']!.eval, null, 'no gate ran');

    const unknown = await job.uses(PROMOTE, {
      'prompt-file': 'prompts/label.prompt.yml',
      version: '9.9',
      mode: 'local',
    });
    assert.match(
      failed(unknown),
      /Input 'version' is '9\.9', which is neither a channel of prompts\/label\.prompt\.yml, a version in \.autostack\/prompts\.lock\.yml, the file's current version, nor a git commit or branch holding prompts\/label\.prompt\.yml\. Known versions: 3\.2, 3\.1/,
    );
    const noTests = await job.uses(PROMOTE, { 'prompt-file': PROMPT.replace('greet', 'none'), mode: 'local' });
    assert.match(failed(noTests), /Input 'prompt-file': cannot read prompts\/none\.prompt\.yml \(ENOENT\)/);
  });
  test('autostack promote: the same inputs as flags, local mode by default', async () => {
    const job = newJob({ repo: 'octo-org/promote-cli' });
    write(job, PROMPT, V1);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    const result = await job.cli(['promote', '--prompt-file', PROMPT, '--channel', 'staging', '--json']);
    assert.equal(result.exitCode, 0, result.stderr);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    assert.equal(outputs['version'], '1.0');
    assert.equal(outputs['promoted'], 'true');
    assert.equal(outputs['pass-rate'], '1');
    assert.match(result.stderr, /\| Case \| Candidate `1\.0` \|/);
    assert.equal(lockEntry(readFileSync(join(job.workspace, LOCK), 'utf8'), 'staging').version, '1.0');

    // In a git checkout that ignores .autostack/, the files that must be committed are flagged.
    ok(await job.run('git init -q . && echo .autostack/ > .gitignore'));
    const ignored = await job.cli(['promote', '--prompt-file', PROMPT, '--eval', 'false']);
    assert.equal(ignored.exitCode, 0, ignored.stderr);
    assert.match(ignored.stderr, /warning: \.autostack\/prompts\.lock\.yml or the snapshot is ignored by git here/);

    const bad = await job.cli(['promote', '--prompt-file', PROMPT, '--mode', 'sideways']);
    assert.equal(bad.exitCode, 1);
    assert.equal(
      bad.stderr.trim(),
      "error: flag '--mode' must be one of pull-request, commit, local (got 'sideways'); see 'autostack promote --help'",
    );
    assert.ok(!`${result.stdout}${result.stderr}${bad.stderr}`.includes(API_KEY), 'the key never shows');
  });
  test('provider replay: the gate runs from recordings made with autostack run-prompt --record, with no key and no API call', async () => {
    const job = newJob({ repo: 'octo-org/promote-replay' });
    write(job, PROMPT, V1);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    for (const name of ['Ada', 'Bob']) {
      const recorded = await job.cli(['run-prompt', '--prompt-file', PROMPT, '--input', `name: ${name}`, '--record']);
      assert.equal(recorded.exitCode, 0, recorded.stderr);
    }
    assert.ok(readFileSync(join(job.workspace, 'prompts/greet.recordings.json'), 'utf8').includes('Hello Bob!'));
    delete job.env['ANTHROPIC_API_KEY'];
    delete job.env['ANTHROPIC_BASE_URL'];
    const calls = api.requests.length;
    const result = await job.uses(PROMOTE, { 'prompt-file': PROMPT, provider: 'replay', mode: 'local' });
    ok(result);
    assert.equal(result.outputs['pass-rate'], '1');
    assert.equal(api.requests.length, calls, 'no API call');
    assert.equal(lockEntry(readFileSync(join(job.workspace, LOCK), 'utf8')).version, '1.0');

    // An edit that was never recorded fails its cases clearly, and the gate refuses it.
    write(job, PROMPT, V2);
    const refused = await job.uses(PROMOTE, { 'prompt-file': PROMPT, provider: 'replay', mode: 'local' });
    assert.match(failed(refused), /Promotion refused: prompts\/greet\.prompt\.yml 2\.0 passes 0\/2 cases/);
    assert.match(refused.summary, /❌ fail: No recorded response for this request/);
  });
  test('a token that may not write is a clear error naming the call and the permission', async () => {
    const repo = 'octo-org/promote-forbidden';
    const job = newJob({ repo });
    write(job, PROMPT, V1);
    gh.script('PUT /repos/{owner}/{repo}/contents/{+path}', [
      {
        status: 403,
        body: {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest',
          status: '403',
        },
      },
    ]);
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    const result = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit' });
    assert.match(
      failed(result),
      /^GitHub API: PUT contents\/\.autostack\/prompt-snapshots\/[0-9a-f]{64}\.prompt\.yml on main failed with 403: Resource not accessible by integration .*\(the token may not do this: the job needs `permissions: contents: write, pull-requests: write`\)$/m,
    );
    assert.equal(gh.readFile(LOCK, { repo }), undefined);
    assert.ok(!visibleLog(result).includes(TOKEN));
  });
  test('version can be a git commit: the prompt file as it was there', async () => {
    const repo = 'octo-org/promote-at-commit';
    gh.repo(repo);
    const sha = gh.commitFiles({ [PROMPT]: V1 }, { repo, message: 'greeter 1.0' });
    gh.commitFiles({ [PROMPT]: V2 }, { repo, message: 'greeter 2.0' });
    const job = newJob({ repo });
    write(job, PROMPT, V2);
    const result = await job.uses(PROMOTE, { 'prompt-file': PROMPT, version: sha, mode: 'commit', eval: 'false' });
    ok(result);
    assert.equal(result.outputs['version'], '1.0');
    const entry = lockEntry(gh.readFile(LOCK, { repo }));
    assert.equal(entry.commit, sha);
    assert.equal(gh.readFile(entry.snapshot, { repo }), V1);
  });
  test('a write whose answer was lost is retried without failing or duplicating', async () => {
    const repo = 'octo-org/promote-lost-answer';
    const job = newJob({ repo });
    write(job, PROMPT, V1);
    let landed = 0;
    // The first PUT of the lock file lands on the branch, but its answer is a 502: octokit retries it.
    gh.script(
      (request) => {
        if (request.method !== 'PUT' || request.path !== `/repos/${repo}/contents/${LOCK}` || landed > 0) return false;
        const body = request.body as { content: string; message: string };
        gh.commitFiles(
          { [LOCK]: Buffer.from(body.content, 'base64').toString('utf8') },
          { repo, message: body.message },
        );
        landed += 1;
        return true;
      },
      [{ status: 502, body: { message: 'Server Error' } }],
    );
    answer({ Ada: 'Hello Ada!', Bob: 'Hello Bob!' });
    const result = await job.uses(PROMOTE, { 'prompt-file': PROMPT, mode: 'commit' });
    ok(result);
    assert.equal(landed, 1);
    const puts = gh.requests.filter(
      (request) => request.method === 'PUT' && request.path === `/repos/${repo}/contents/${LOCK}`,
    );
    assert.deepEqual(
      puts.map((request) => request.status),
      [502, 422],
      'the retry conflicted with the write that had landed',
    );
    assert.equal(lockEntry(gh.readFile(LOCK, { repo })).version, '1.0');
    assert.equal(result.outputs['committed-sha'], gh.repo(repo).branches.get('main'));
    const commits = [...gh.repo(repo).commits.values()].filter((commit) => commit.message.startsWith('Promote'));
    assert.equal(commits.length, 2, 'one snapshot commit and one lock commit, no duplicate');
  });
});
