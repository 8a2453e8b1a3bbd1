// The secret sweep: sentinel secrets pushed through every action and CLI path, on success and
// on failure, with RUNNER_DEBUG=1. Neither a sentinel nor any derived form (base64 at each
// alignment, base64url, URL-encoded, JSON-escaped) may appear in stdout, stderr, an output, a
// summary, the journal, a run record, an artifact, a cache entry (local folder or Actions cache),
// an event, or a request body sent to the model or to GitHub.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { errorReply, startAnthropicApi, textReply, toolUseReply, type AnthropicApi } from '../fakes/anthropic-api.js';
import { startGitHubApi, type GitHubApi } from '../fakes/github-api.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';
import { Job, visibleLog, type StepResult } from '../harness/job.js';
import { assertNoSentinel, base64At, cacheEntryText, filesUnder, type Places } from './sweep-helpers.js';

/** Not token-shaped: only registration can catch it. */
const API_KEY = 'sweep-api-key-5c1e9a7d3f2b4860';
/** Token-shaped and registered. */
const GITHUB_TOKEN = 'ghs_SweepSentinelToken0123456789ab';
/** Never registered: only its shape can catch it. */
const STRAY_ANTHROPIC_KEY = 'sk-ant-api03-StraySweepKey0123456789';
const SENTINELS = [API_KEY, GITHUB_TOKEN, STRAY_ANTHROPIC_KEY];

/**
 * What a careless model or service could echo: every encoded form of the secrets this process was
 * given (it registered them), and the raw value of token-shaped ones it was not given (only their
 * shape can catch them: a process cannot mask the base64 of a value it has never seen).
 */
function leakyText(known: string[], shaped: string[] = [STRAY_ANTHROPIC_KEY]): string {
  const encoded = known.flatMap((secret) => [
    secret,
    base64At(secret, 0),
    base64At(secret, 1),
    base64At(secret, 2),
    encodeURIComponent(secret),
    JSON.stringify(secret),
  ]);
  return [...encoded, ...shaped].join(' | ');
}

function stepPlaces(label: string, step: StepResult): Places {
  return [
    [`${label} log`, visibleLog(step)],
    [`${label} outputs`, JSON.stringify(step.outputs)],
    [`${label} summary`, step.summary],
    [`${label} exported`, JSON.stringify(step.exported)],
  ];
}

describe('secret sweep', () => {
  let api: AnthropicApi;
  let github: GitHubApi;
  let results: ResultsService;
  before(async () => {
    [api, github, results] = await Promise.all([startAnthropicApi(), startGitHubApi(), startResultsService()]);
  });
  after(async () => {
    await Promise.all([api.close(), github.close(), results.close()]);
  });

  test('run-prompt, emit-event, record-run and the CLI, success and failure: no sentinel in any sink', async () => {
    github.addIssue({ title: 'Sweep', body: 'nothing secret here' });
    const job = new Job({
      env: {
        ...results.env(),
        RUNNER_DEBUG: '1',
        GITHUB_API_URL: github.url,
        ANTHROPIC_BASE_URL: api.url,
        GITHUB_RUN_ID: '9191',
      },
      githubToken: GITHUB_TOKEN,
    });
    const apiBefore = api.requests.length;
    const githubBefore = github.requests.length;
    const steps: Array<[string, StepResult]> = [];
    const start = await job.uses('actions/record-run', { name: 'sweep' });
    assert.equal(start.exitCode, 0, start.stdout);
    steps.push(['record-run', start]);
    const runId = start.outputs['run-id'] ?? '';

    // Success: the reply echoes every form; outputs, response file, caches, journal must not.
    api.enqueue(textReply(leakyText([API_KEY, GITHUB_TOKEN])));
    const echoed = await job.uses('actions/run-prompt', { prompt: 'Say something.', 'anthropic-api-key': API_KEY });
    assert.equal(echoed.exitCode, 0, echoed.stdout);
    steps.push(['run-prompt (echo)', echoed]);
    assert.ok(results.cacheEntries().length > 0, 'the reply was saved to the Actions cache');

    // A GitHub tool whose error quotes the token: the tool result sent to the model is clean.
    github.script({ method: 'GET', path: /\/issues\/1$/ }, [
      { status: 422, body: { message: `bad credentials ${GITHUB_TOKEN} ${base64At(GITHUB_TOKEN, 1)}` } },
    ]);
    api.enqueue(toolUseReply('github_get_issue', { number: 1 }), textReply('{"ok":true}'));
    const tooled = await job.uses('actions/run-prompt', {
      prompt: 'Check issue 1.',
      tools: '- github_get_issue',
      schema: '{"type":"object"}',
      'anthropic-api-key': API_KEY,
      cache: 'false',
    });
    assert.equal(tooled.exitCode, 0, tooled.stdout);
    steps.push(['run-prompt (tool)', tooled]);

    // Failure: an API error that quotes the key back.
    api.enqueue(errorReply(401, 'authentication_error', `invalid x-api-key: ${API_KEY} ${base64At(API_KEY, 2)}`));
    const refused = await job.uses('actions/run-prompt', {
      prompt: 'Again.',
      'anthropic-api-key': API_KEY,
      cache: 'false',
    });
    assert.equal(refused.exitCode, 1);
    steps.push(['run-prompt (401)', refused]);

    // emit-event: secrets in data reach neither the event output nor the file target.
    // A process can only mask what it was told about or can recognise: emit-event is given the
    // GitHub token, and the stray key has a known shape; the API key belongs to another step.
    const data = JSON.stringify({ note: leakyText([GITHUB_TOKEN]) });
    const emitted = await job.uses('actions/emit-event', {
      type: 'com.example.sweep',
      data,
      file: 'events.jsonl',
      'github-token': GITHUB_TOKEN,
    });
    assert.equal(emitted.exitCode, 0, emitted.stdout);
    assert.ok(emitted.outputs.event, 'the event output is set');
    steps.push(['emit-event', emitted]);
    // emit-event failing on a dispatch whose error body quotes the token.
    github.script('POST /repos/{owner}/{repo}/dispatches', [
      { status: 403, body: { message: `forbidden for ${GITHUB_TOKEN}` } },
    ]);
    const dispatchFailed = await job.uses('actions/emit-event', {
      type: 'com.example.sweep2',
      data: 'x: 1',
      'dispatch-repository': 'octo-org/octo-repo',
      'github-token': GITHUB_TOKEN,
    });
    assert.equal(dispatchFailed.exitCode, 1);
    steps.push(['emit-event (403)', dispatchFailed]);

    // The CLI on the same job: run-prompt printing the reply, and an emit.
    api.enqueue(textReply(leakyText([API_KEY], [GITHUB_TOKEN, STRAY_ANTHROPIC_KEY])));
    const cliPrompt = await job.cli(['run-prompt', '--prompt', 'From the CLI.', '--cache', 'false'], {
      ANTHROPIC_API_KEY: API_KEY,
    });
    assert.equal(cliPrompt.exitCode, 0, cliPrompt.stderr);
    steps.push(['cli run-prompt', cliPrompt]);
    const cliData = JSON.stringify({ note: leakyText([], [GITHUB_TOKEN, STRAY_ANTHROPIC_KEY]) });
    const cliEmit = await job.cli([
      'emit',
      '--type',
      'com.example.cli',
      '--data',
      cliData,
      '--file',
      'cli-events.jsonl',
    ]);
    assert.equal(cliEmit.exitCode, 0, cliEmit.stderr);
    steps.push(['cli emit', cliEmit]);

    // record-run's post step, with the jobs API answering an error body that quotes the token.
    github.script({ method: 'GET', path: /\/actions\/runs\/9191\// }, [
      { status: 403, body: { message: `token ${GITHUB_TOKEN} lacks actions: read` } },
    ]);
    for (const [index, post] of (await job.complete()).entries()) steps.push([`post ${index}`, post]);
    const shown = await job.cli(['runs', 'show', runId]);
    steps.push(['cli runs show', shown]);

    const places: Places = steps.flatMap(([label, step]) => stepPlaces(label, step));
    places.push(...filesUnder(job.workspace, 'workspace'), ...filesUnder(job.runnerTemp, 'runner temp'));
    for (const entry of results.cacheEntries())
      places.push([`Actions cache entry ${entry.key}`, cacheEntryText(entry.data)]);
    for (const [name, content] of await results.artifactFiles(`autostack-run-${runId}`))
      places.push([`artifact file ${name}`, content.toString('utf8')]);
    api.requests
      .slice(apiBefore)
      .forEach((request, index) => places.push([`model request ${index}`, JSON.stringify(request.body)]));
    github.requests
      .slice(githubBefore)
      .forEach((request, index) => places.push([`GitHub request ${index} body`, JSON.stringify(request.body ?? '')]));
    assert.ok(
      places.some(([where]) => where.startsWith('artifact file')),
      'the artifact was swept',
    );
    assertNoSentinel(places, SENTINELS);
  });

  test('the local runner masks a --secret, its base64 forms at every alignment, and a stray token shape', async () => {
    const job = new Job({ env: { RUNNER_DEBUG: '1' } });
    const secret = 'local-runner-sweep-secret-42';
    writeFileSync(
      join(job.workspace, 'w.yml'),
      [
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - env:',
        '          S: ${{ secrets.SWEEP }}',
        '        run: |',
        '          echo "raw $S"',
        '          printf %s "$S" | base64 -w0; echo',
        '          printf %s "x$S" | base64 -w0; echo',
        '          printf %s "xy$S" | base64 -w0; echo',
        `          echo "stray ${STRAY_ANTHROPIC_KEY}"`,
        '          echo "out=$S" >> "$GITHUB_OUTPUT"',
        '          echo "## $S" >> "$GITHUB_STEP_SUMMARY"',
        '',
      ].join('\n'),
    );
    const run = await job.cli(['workflow', 'run', 'w.yml', '--event', 'push', '--secret', `SWEEP=${secret}`]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(`${run.stdout}${run.stderr}`, /raw \*\*\*/, 'the step ran and its line was masked');
    const places: Places = [...stepPlaces('workflow run', run)];
    places.push(...filesUnder(job.workspace, 'workspace').filter(([where]) => !where.endsWith('w.yml')));
    assertNoSentinel(places, [secret, STRAY_ANTHROPIC_KEY]);
    assert.ok(
      readFileSync(join(job.workspace, 'w.yml'), 'utf8').includes(STRAY_ANTHROPIC_KEY),
      "sanity: the workflow file itself is the user's",
    );
  });
});
