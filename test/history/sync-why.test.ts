import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Job } from '../harness/job.js';
import { startGitHubApi, type GitHubApi } from '../fakes/github-api.js';
import { startResultsService, type ResultsService } from '../fakes/results-service.js';

const TOKEN = 'ghs_synctoken1234';
let github: GitHubApi;
let results: ResultsService;
let home: string;

before(async () => {
  github = await startGitHubApi({ requireToken: TOKEN, quiet: true });
  results = await startResultsService();
  home = mkdtempSync(join(tmpdir(), 'autostack-sync-'));
});
after(async () => {
  await github.close();
  await results.close();
  rmSync(home, { recursive: true, force: true });
});

test('runs sync fetches the record artifacts of a two-workflow dispatch chain, incrementally; runs why explains the failure', async () => {
  // Workflow 1 (run 5001): triage, emits an event by repository_dispatch.
  const env = { ...results.env(), GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN };
  const first = new Job({ env: { ...env, GITHUB_RUN_ID: '5001', GITHUB_WORKFLOW: 'Triage' }, githubToken: TOKEN });
  const started = await first.uses('actions/record-run', { name: 'triage', 'github-token': '' });
  assert.equal(started.exitCode, 0, started.stderr);
  const parentRunId = started.outputs['run-id'] ?? '';
  const emitted = await first.uses('actions/emit-event', {
    type: 'com.example.triaged',
    data: 'label: bug',
    'dispatch-repository': 'octo-org/octo-repo',
  });
  assert.equal(emitted.exitCode, 0, emitted.stdout + emitted.stderr);
  await first.complete();
  const dispatch = github.state.dispatches[0];
  assert.ok(dispatch, 'emit-event dispatched');

  // Workflow 2 (run 5002): started by that dispatch; its deploy step fails.
  const second = new Job({
    env: { ...env, GITHUB_RUN_ID: '5002', GITHUB_WORKFLOW: 'Deploy' },
    githubToken: TOKEN,
    eventName: 'repository_dispatch',
    eventPayload: { event_type: dispatch.event_type, client_payload: dispatch.client_payload },
  });
  const childStart = await second.uses('actions/record-run', { name: 'deploy', 'github-token': '' });
  const childRunId = childStart.outputs['run-id'] ?? '';
  const failing = await second.cli(['step', '--name', 'ship', '--', 'bash', '-c', 'echo boom >&2; exit 3']);
  assert.notEqual(failing.exitCode, 0);
  await second.cli(['log', '--intervention', 'approved the production deploy by hand']);
  await second.complete();

  // GitHub holds both runs and their artifacts (the zips @actions/artifact uploaded).
  github.setJobs(5001, 1, [{ name: 'triage' }], { workflowName: 'Triage', event: 'push' });
  github.setJobs(5002, 2, [{ name: 'deploy', conclusion: 'failure' }], {
    workflowName: 'Deploy',
    event: 'repository_dispatch',
  });
  github.setRunDetails(5002, {
    triggeringActor: { login: 'mona', type: 'User' },
    approvals: [{ user: 'mona', state: 'approved', environments: ['production'] }],
  });
  for (const [runId, name] of [
    [5001, `autostack-run-${parentRunId}`],
    [5002, `autostack-run-${childRunId}`],
  ] as const) {
    const artifact = results.artifacts().find((candidate) => candidate.name === name);
    assert.ok(artifact, `artifact ${name} uploaded`);
    github.addArtifact(runId, name, artifact.zip);
  }
  github.addArtifact(5001, 'coverage', Buffer.from('not ours'));
  github.addArtifact(5001, 'autostack-run-older-attempt', Buffer.from('deleted by GitHub'), { expired: true });

  const historyDir = join(home, 'history');
  const cli = new Job({ env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: TOKEN } });
  github.script('GET /repos/{owner}/{repo}/actions/artifacts/*', [{ status: 502 }]);
  const sync = await cli.cli(['runs', 'sync', '--repo', 'octo-org/octo-repo', '--dir', historyDir]);
  assert.equal(sync.exitCode, 0, sync.stdout + sync.stderr);
  assert.match(
    sync.stdout,
    /2 runs listed, 2 inspected, 2 records fetched, 0 already had, 0 failed, 1 expired before this sync/,
  );
  assert.match(sync.stderr, /1 run record artifact\(s\) expired on GitHub .*autostack-run-older-attempt \(run 5001\)/);
  assert.equal(readdirSync(join(historyDir, 'records')).length, 2);
  const downloads = github.requests.filter((request) => /\/artifacts\/\d+\/zip$/.test(request.path));
  assert.equal(
    downloads.filter((request) => request.status === 302).length,
    2,
    'one retry after the 502, then both downloaded',
  );

  // Second call: nothing old is listed for artifacts or downloaded again.
  const before = github.requests.length;
  const again = await cli.cli(['runs', 'sync', '--repo', 'octo-org/octo-repo', '--dir', historyDir]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /0 inspected, 0 records fetched/);
  const newRequests = github.requests.slice(before);
  assert.deepEqual(
    newRequests.map((request) => request.path),
    ['/repos/octo-org/octo-repo/actions/runs'],
  );

  const list = await cli.cli(['runs', 'list', '--dir', historyDir, '--directory', join(home, 'none')]);
  assert.match(list.stdout, new RegExp(`${childRunId}\\s+failure\\s+deploy`));

  const why = await cli.cli(['runs', 'why', childRunId, '--dir', historyDir, '--directory', join(home, 'none')]);
  assert.equal(why.exitCode, 0, why.stderr);
  assert.match(why.stdout, /Failing step: ship .*failure/);
  assert.match(why.stdout, /error: .*exit(ed)? .*3/i);
  assert.match(why.stdout, /re-ran the workflow \(attempt 2\)/);
  assert.match(why.stdout, /mona: approved environment production/);
  assert.match(why.stdout, /approved the production deploy by hand/);
  assert.match(why.stdout, new RegExp(`${parentRunId} triage \\[success\\]`));
  assert.match(
    why.stdout,
    new RegExp(`▶ ${childRunId} deploy \\[failure\\] ← event com.example.triaged from ${parentRunId}`),
  );
  const parentWhy = await cli.cli(['runs', 'why', parentRunId, '--dir', historyDir, '--directory', join(home, 'none')]);
  assert.match(parentWhy.stdout, new RegExp(`→ ${childRunId} deploy \\[failure\\] via event com.example.triaged`));
});
