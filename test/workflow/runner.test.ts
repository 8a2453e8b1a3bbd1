// The local workflow runner, in-process: expressions, if/status functions, needs and outputs,
// env at every level, environment files, continue-on-error, timeouts, secret masking, inputs,
// reusable workflows, local node actions with post steps, and the refusals of what it cannot run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { job, refusal, runIn, step } from './helpers.js';

const W = '.github/workflows/w.yml';

test('expressions, env at every level, GITHUB_OUTPUT/ENV/PATH and step outputs', async () => {
  const { result, output } = await runIn(
    {
      [W]: `name: Basics
on: push
env:
  LEVEL: workflow
  WF: wf-\${{ github.event_name }}
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
      FROM_WF: job-\${{ github.event_name }}
    outputs:
      joined: \${{ steps.one.outputs.word }}-\${{ steps.two.outputs.multi }}
    steps:
      - id: one
        env:
          LEVEL: step
        run: |
          echo "level=$LEVEL from_wf=$FROM_WF wf=$WF"
          echo "word=hello" >> "$GITHUB_OUTPUT"
          { echo "multi<<EOF"; echo "line 1"; echo "line 2"; echo "EOF"; } >> "$GITHUB_OUTPUT"
          echo "EXPORTED=yes" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - id: two
        run: |
          echo "level=$LEVEL exported=$EXPORTED env-context=\${{ env.EXPORTED }}"
          mytool
          echo "multi=\${{ contains(steps.one.outputs.multi, 'line 2') }}" >> "$GITHUB_OUTPUT"
          echo "sum=\${{ format('{0}+{1}', 1, 2) }} json=\${{ fromJSON('[1,2]')[1] == 2 }}"
`,
    },
    { event: 'push', payload: { ref: 'refs/heads/main' } },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /level=step from_wf=job-push wf=wf-push/);
  assert.match(output, /level=job exported=yes env-context=yes/);
  assert.match(output, /tool-ran/);
  assert.match(output, /sum=1\+2 json=true/);
  assert.deepEqual(step(result, 'a', 'one').outputs, { word: 'hello', multi: 'line 1\nline 2' });
  assert.equal(job(result, 'a').outputs.joined, 'hello-true');
});

test('needs order, needs.*.outputs and needs.*.result; a failed need skips dependents unless always()', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: workflow_dispatch
jobs:
  last:
    needs: [first, second]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "first=\${{ needs.first.outputs.value }} second=\${{ needs.second.result }}"
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: exit 4
  first:
    runs-on: ubuntu-latest
    outputs:
      value: \${{ steps.s.outputs.value }}
    steps:
      - id: s
        run: echo "value=42" >> "$GITHUB_OUTPUT"
  skipped:
    needs: second
    runs-on: ubuntu-latest
    steps:
      - run: echo should not run
  on-failure:
    needs: second
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "cleanup after \${{ needs.second.result }}"
`,
    },
    { event: 'workflow_dispatch' },
  );
  const order = result.runs[0]?.jobs.map((entry) => entry.id);
  // Jobs run in waves of what is ready, in file order within a wave.
  assert.deepEqual(order, ['first', 'second', 'last', 'skipped', 'on-failure']);
  assert.equal(job(result, 'first').result, 'success');
  assert.equal(job(result, 'second').result, 'failure');
  assert.equal(job(result, 'skipped').result, 'skipped');
  assert.equal(job(result, 'on-failure').result, 'success');
  assert.equal(job(result, 'last').result, 'success');
  assert.match(output, /first=42 second=failure/);
  assert.match(output, /cleanup after failure/);
  assert.equal(result.conclusion, 'failure');
});

test('step if: with status functions, continue-on-error, steps.*.outcome and conclusion', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: soft
        run: exit 2
        continue-on-error: true
      - id: after-soft
        run: echo "outcome=\${{ steps.soft.outcome }} conclusion=\${{ steps.soft.conclusion }}"
      - id: hard
        run: exit 3
      - id: normal
        run: echo not reached
      - id: on-failure
        if: failure()
        run: echo "handling failure"
      - id: always
        if: always()
        run: echo "always runs"
      - id: on-success
        if: success()
        run: echo nope
      - id: expression-only
        if: github.event_name == 'push'
        run: echo nope
`,
    },
    { event: 'push' },
  );
  assert.equal(step(result, 'a', 'soft').outcome, 'failure');
  assert.equal(step(result, 'a', 'soft').conclusion, 'success');
  assert.match(output, /outcome=failure conclusion=success/);
  assert.equal(step(result, 'a', 'hard').outcome, 'failure');
  assert.equal(step(result, 'a', 'hard').error, 'exit code 3');
  assert.equal(step(result, 'a', 'normal').outcome, 'skipped');
  assert.equal(step(result, 'a', 'on-failure').outcome, 'success');
  assert.equal(step(result, 'a', 'always').outcome, 'success');
  assert.equal(step(result, 'a', 'on-success').outcome, 'skipped');
  // An if: without a status function is wrapped in success() && (…), as on GitHub.
  assert.equal(step(result, 'a', 'expression-only').outcome, 'skipped');
  assert.equal(job(result, 'a').result, 'failure');
});

test('step timeout-minutes stops the process group; job timeout-minutes stops the job and runs always() steps', async () => {
  const started = Date.now();
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  steps:
    runs-on: ubuntu-latest
    steps:
      - id: slow
        run: sleep 30
        timeout-minutes: 0.01
      - id: next
        if: always()
        run: echo "after timeout \${{ steps.slow.outcome }}"
  whole:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - id: slow
        run: sleep 30
      - id: skipped
        run: echo not reached
      - id: cleanup
        if: always()
        run: echo cleanup ran
`,
    },
    { event: 'push' },
  );
  assert.ok(Date.now() - started < 20_000, 'timeouts must stop the sleeps');
  assert.equal(step(result, 'steps', 'slow').outcome, 'failure');
  assert.match(step(result, 'steps', 'slow').error ?? '', /timed out/);
  assert.match(output, /after timeout failure/);
  // GitHub cancels a job that exceeds its timeout-minutes: the running step and the job end 'cancelled'.
  assert.equal(step(result, 'whole', 'slow').outcome, 'cancelled');
  assert.equal(step(result, 'whole', 'skipped').outcome, 'skipped');
  assert.equal(step(result, 'whole', 'cleanup').outcome, 'success');
  assert.equal(job(result, 'whole').result, 'cancelled');
});

test('secrets are masked in everything printed and in the result; outputs holding a secret are dropped', async () => {
  const secret = 'sk-sentinel-4f1d2c9e7a';
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      leaked: \${{ steps.s.outputs.value }}
      token: \${{ github.token }}
    steps:
      - id: s
        env:
          KEY: \${{ secrets.API_KEY }}
        run: |
          echo "key is $KEY"
          echo "value=prefix-$KEY" >> "$GITHUB_OUTPUT"
          echo "::add-mask::runtime-value-123"
          echo "printed runtime-value-123"
          echo "token \${{ secrets.GITHUB_TOKEN }}"
`,
    },
    { event: 'push' },
    { secrets: { API_KEY: secret } },
  );
  assert.ok(!output.includes(secret), output);
  assert.ok(!output.includes('runtime-value-123'));
  assert.match(output, /key is \*\*\*/);
  assert.match(output, /printed \*\*\*/);
  assert.doesNotMatch(output, /ghs_local[0-9a-f]+/);
  assert.ok(!JSON.stringify(result).includes(secret));
  assert.deepEqual(job(result, 'a').outputs, {});
  assert.match(output, /Skip output 'leaked' since it may contain secret/);
});

test('workflow_dispatch inputs: defaults, types, choices; bad input values are refused', async () => {
  const files = {
    [W]: `on:
  workflow_dispatch:
    inputs:
      count: { type: number, default: 3 }
      dry: { type: boolean, default: false }
      level: { type: choice, options: [low, high], default: low }
      name: { type: string, required: true }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "count-is-3=\${{ inputs.count == 3 }} dry=\${{ inputs.dry }} not-dry=\${{ !inputs.dry }} level=\${{ inputs.level }} name=\${{ inputs.name }} event=\${{ github.event.inputs.name }}"
`,
  };
  const { output } = await runIn(files, { event: 'workflow_dispatch', inputs: { name: 'octo', dry: 'true' } });
  assert.match(output, /count-is-3=true dry=true not-dry=false level=low name=octo event=octo/);
  assert.match(await refusal(files, { event: 'workflow_dispatch', inputs: {} }), /input 'name' is required/);
  assert.match(
    await refusal(files, { event: 'workflow_dispatch', inputs: { name: 'x', count: 'many' } }),
    /input 'count' is a number; got 'many'/,
  );
  assert.match(
    await refusal(files, { event: 'workflow_dispatch', inputs: { name: 'x', level: 'medium' } }),
    /must be one of low, high/,
  );
  assert.match(
    await refusal(files, { event: 'workflow_dispatch', inputs: { name: 'x', colour: 'red' } }),
    /declares no workflow_dispatch input 'colour'/,
  );
});

test('trigger matching: event names, types and branch filters', async () => {
  const files = {
    [W]: `on:
  issues:
    types: [opened]
  push:
    branches: [main, 'release/**']
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ran
`,
  };
  assert.equal((await runIn(files, { event: 'issues', payload: { action: 'opened' } })).result.conclusion, 'success');
  assert.equal(
    (await runIn(files, { event: 'push', payload: { ref: 'refs/heads/release/1.2' } })).result.conclusion,
    'success',
  );
  assert.match(
    await refusal(files, { event: 'issues', payload: { action: 'closed' } }),
    /issues type 'closed' is not one of opened/,
  );
  assert.match(
    await refusal(files, { event: 'push', payload: { ref: 'refs/heads/feature/x' } }),
    /branch 'feature\/x' is filtered out/,
  );
  assert.match(await refusal(files, { event: 'pull_request' }), /not triggered by 'pull_request'/);
});

const NODE_ACTION = {
  'greet/action.yml': `name: greet
inputs:
  who:
    default: world
  token:
    default: \${{ github.token }}
outputs:
  greeting:
    description: the greeting
runs:
  using: node20
  main: main.cjs
  post: post.cjs
`,
  'greet/main.cjs': `const fs = require('node:fs');
console.log('hello ' + process.env.INPUT_WHO + ' token-set=' + (process.env.INPUT_TOKEN.length > 10));
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=hi ' + process.env.INPUT_WHO + '\\n');
fs.appendFileSync(process.env.GITHUB_STATE, 'who=' + process.env.INPUT_WHO + '\\n');
`,
  'greet/post.cjs': `console.log('post for ' + process.env.STATE_who + ' input ' + process.env.INPUT_WHO);`,
};

test('local node actions: inputs with defaults (expressions included), outputs, post step with STATE_*', async () => {
  const { result, output } = await runIn(
    {
      ...NODE_ACTION,
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: greet
        uses: ./greet
        with:
          who: \${{ github.event_name }}
          extra: unexpected
      - run: echo "said \${{ steps.greet.outputs.greeting }}"
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /hello push token-set=true/);
  assert.match(output, /said hi push/);
  assert.match(output, /Unexpected input\(s\) 'extra'/);
  assert.match(output, /post for push input push/);
  const posts = job(result, 'a').steps.filter((entry) => entry.name.startsWith('Post '));
  assert.equal(posts.length, 1);
  assert.ok(output.indexOf('said hi push') < output.indexOf('post for push'), 'post steps run after the job steps');
});

test("this repository's actions resolve to the local bundles: OWNER/autostack/actions/record-run@v1 writes a run record", async () => {
  const { result, root } = await runIn(
    {
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    permissions:
      actions: read
    steps:
      - id: record
        uses: someone/autostack/actions/record-run@v1
        with:
          name: local-record
      - run: echo work
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success');
  assert.equal(result.records.length, 1);
  const record = JSON.parse(readFileSync(result.records[0]?.path ?? '', 'utf8')) as {
    name: string;
    status: string;
    statusSource: string;
    jobSteps?: Array<{ name: string; conclusion: string }>;
  };
  assert.ok(result.records[0]?.path.startsWith(join(root, '.autostack', 'runs')));
  assert.equal(record.name, 'local-record');
  assert.equal(record.status, 'success');
  // The post step read the step outcomes from the runner's loopback jobs API.
  assert.equal(record.statusSource, 'github-api');
  assert.ok(record.jobSteps?.some((entry) => entry.name === 'Run echo work' && entry.conclusion === 'success'));
});

test('reusable workflows: with, typed inputs with defaults, secrets, outputs', async () => {
  const { result, output } = await runIn(
    {
      '.github/workflows/callee.yml': `on:
  workflow_call:
    inputs:
      word: { type: string, required: true }
      times: { type: number, default: 2 }
    secrets:
      TOKEN: { required: true }
    outputs:
      said:
        value: \${{ jobs.speak.outputs.said }}
jobs:
  speak:
    runs-on: ubuntu-latest
    outputs:
      said: \${{ steps.s.outputs.said }}
    steps:
      - id: s
        env:
          TOKEN: \${{ secrets.TOKEN }}
        run: |
          echo "word=\${{ inputs.word }} times=\${{ inputs.times }} token=$TOKEN"
          echo "said=\${{ inputs.word }}x\${{ inputs.times }}" >> "$GITHUB_OUTPUT"
`,
      [W]: `on: push
jobs:
  call:
    uses: ./.github/workflows/callee.yml
    with:
      word: hi
    secrets:
      TOKEN: \${{ secrets.MY_TOKEN }}
  use:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "caller got \${{ needs.call.outputs.said }}"
`,
    },
    { event: 'push' },
    { secrets: { MY_TOKEN: 'tok-secret-value-1' } },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /word=hi times=2 token=\*\*\*/);
  assert.match(output, /caller got hix2/);
  assert.equal(job(result, 'call').outputs.said, 'hix2');
  assert.equal(job(result, 'call').called?.jobs[0]?.id, 'speak');
});

test('a reusable workflow missing a required secret, or without workflow_call, is refused', async () => {
  const callee = `on:
  workflow_call:
    secrets:
      TOKEN: { required: true }
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`;
  const caller = `on: push
jobs:
  call:
    uses: ./.github/workflows/callee.yml
`;
  const { result, output } = await runIn(
    { '.github/workflows/callee.yml': callee, [W]: caller },
    { event: 'push' },
  ).catch((error: Error) => ({ result: undefined, output: error.message }));
  assert.equal(result, undefined);
  assert.match(output, /requires secret 'TOKEN'/);
  const notCallable = await refusal(
    {
      '.github/workflows/callee.yml':
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
      [W]: caller,
    },
    { event: 'push' },
  );
  assert.match(notCallable, /has no on.workflow_call trigger/);
});

test('unsupported features are refused with the feature and file:line, before anything runs', async () => {
  const badMatrix = await refusal(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        node: 20\n    steps:\n      - run: echo\n',
    },
    { event: 'push' },
  );
  assert.match(badMatrix, /\.github\/workflows\/w\.yml \(Line: 7, Col: 15\): Unexpected value '20'/);
  const container = await refusal(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: node:20\n    steps:\n      - run: echo\n',
    },
    { event: 'push' },
  );
  assert.match(container, /w\.yml:5: job 'a' runs in a container/);
  const services = await refusal(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      redis:\n        image: redis\n    steps:\n      - run: echo\n',
    },
    { event: 'push' },
  );
  assert.match(services, /w\.yml:5: job 'a' uses service containers/);
  const thirdParty = await refusal(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo first > first.txt\n      - uses: peter-evans/repository-dispatch@v3\n',
    },
    { event: 'push' },
  );
  assert.match(thirdParty, /w\.yml:7: uses: peter-evans\/repository-dispatch@v3 is a third-party action/);
  const docker = await refusal(
    { [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker://alpine:3\n' },
    { event: 'push' },
  );
  assert.match(docker, /w\.yml:6: uses: docker:\/\/alpine:3 runs a Docker image/);
  const dockerAction = await refusal(
    {
      'dock/action.yml': "name: d\nruns:\n  using: docker\n  image: 'Dockerfile'\n",
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./dock\n',
    },
    { event: 'push' },
  );
  assert.match(dockerAction, /w\.yml:6: uses: \.\/dock is a Docker container action/);
  const compositeWithoutShell = await refusal(
    {
      'comp/action.yml': 'name: c\nruns:\n  using: composite\n  steps:\n    - run: echo\n',
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./comp\n',
    },
    { event: 'push' },
  );
  assert.match(
    compositeWithoutShell,
    /\.\/comp \(action\.yml runs\.steps\[0\]\): a run: step of a composite action needs shell:/,
  );
  const invalid = await refusal(
    { [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ 1 + }}\n' },
    { event: 'push' },
  );
  assert.match(invalid, /w\.yml \(Line: 6, Col: 14\)/);
});

test('a third-party action deep in the steps stops the run before any step executes', async () => {
  const message = await refusal(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: touch ran.txt\n  b:\n    needs: a\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/action@v1\n',
    },
    { event: 'push' },
  );
  assert.match(message, /w\.yml:11: uses: some\/action@v1 is a third-party action/);
});

test('--job runs one job and the jobs it needs', async () => {
  const { result } = await runIn(
    {
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo a
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: echo b
  c:
    runs-on: ubuntu-latest
    steps:
      - run: echo c
`,
    },
    { event: 'push', job: 'b' },
  );
  assert.deepEqual(
    result.runs[0]?.jobs.map((entry) => entry.id),
    ['a', 'b'],
  );
});

test('repository_dispatch sent by a step starts the matching workflows of the folder with client_payload as github.event', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  send:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: \${{ github.token }}
        run: |
          curl -sS -f -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
            -d '{"event_type":"ping","client_payload":{"n":7}}' "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/dispatches"
`,
      '.github/workflows/ping.yml': `on:
  repository_dispatch:
    types: [ping]
jobs:
  pong:
    runs-on: ubuntu-latest
    steps:
      - run: echo "pong n=\${{ github.event.client_payload.n }} action=\${{ github.event.action }}"
`,
      '.github/workflows/other.yml': `on:
  repository_dispatch:
    types: [other]
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo other
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.equal(result.runs.length, 2);
  assert.equal(result.runs[1]?.file, '.github/workflows/ping.yml');
  assert.match(result.runs[1]?.triggeredBy ?? '', /repository_dispatch 'ping'/);
  assert.match(output, /pong n=7 action=ping/);
  assert.deepEqual(result.dispatches[0]?.started, ['.github/workflows/ping.yml']);
});

test('a dispatch loop stops at --max-runs with a clear error', async () => {
  const files = {
    [W]: `on:
  push:
  repository_dispatch:
    types: [again]
jobs:
  loop:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: \${{ github.token }}
        run: |
          curl -sS -f -X POST -H "Authorization: Bearer $TOKEN" -d '{"event_type":"again"}' "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/dispatches"
`,
  };
  assert.match(await refusal(files, { event: 'push' }, { maxRuns: 3, quiet: true }), /more than 3 workflow runs/);
});

test('the loopback API refuses tokens it did not issue and reports routes it does not serve', async () => {
  const { output, result } = await runIn(
    {
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: \${{ github.token }}
        run: |
          echo "bad token: $(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/dispatches" -X POST -d '{}')"
          echo "unknown route: $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/pulls")"
`,
    },
    { event: 'push' },
  );
  assert.match(output, /bad token: 401/);
  assert.match(output, /unknown route: 404/);
  assert.ok(result.github.some((entry) => entry.status === 404 && entry.path.endsWith('/pulls')));
  assert.match(output, /GET \/repos\/octo-org\/octo-repo\/pulls → 404/);
});

test('actions/checkout is satisfied by the workspace; a checkout of another repository is refused', async () => {
  const { result, output } = await runIn(
    {
      [W]: 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - run: test -f .github/workflows/w.yml\n',
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /is the checkout; nothing to fetch locally/);
  const { result: other } = await runIn(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          repository: someone/else\n',
    },
    { event: 'push' },
  );
  assert.equal(other.conclusion, 'failure');
  assert.match(job(other, 'a').error ?? '', /checkout of another repository \(someone\/else\)/);
});

test('defaults.run (shell, working-directory) and step shell/working-directory', async () => {
  const { result, output, root } = await runIn(
    {
      'sub/marker.txt': 'here',
      [W]: `on: push
defaults:
  run:
    working-directory: sub
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: cat marker.txt && echo " in $(basename "$PWD")"
      - run: print("python says hi")
        shell: python
        working-directory: .
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /here in sub/);
  assert.match(output, /python says hi/);
  assert.ok(existsSync(root));
});

test('emit-event with dispatch-workflow starts that workflow of the folder on workflow_dispatch, inputs checked, run id returned', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
permissions: {}
jobs:
  send:
    runs-on: ubuntu-latest
    permissions:
      actions: write
    steps:
      - id: emit
        uses: someone/autostack/actions/emit-event@v1
        with:
          type: deploy.requested
          data: '{"version": "1.2.3"}'
          dispatch-workflow: deploy.yml
          dispatch-inputs: |
            environment: staging
      - run: echo "child run \${{ steps.emit.outputs.workflow-run-id }}"
`,
      '.github/workflows/deploy.yml': `on:
  workflow_dispatch:
    inputs:
      environment: { type: choice, options: [staging, production], required: true }
      autostack-event: { type: string, default: '' }
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - env:
          EVENT: \${{ inputs.autostack-event }}
        run: echo "deploying to \${{ inputs.environment }} run \${{ github.run_id }} event type $(echo "$EVENT" | grep -o 'deploy.requested' | head -1)"
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.deepEqual(
    result.runs.map((run) => [run.file, run.event]),
    [
      ['.github/workflows/w.yml', 'push'],
      ['.github/workflows/deploy.yml', 'workflow_dispatch'],
    ],
  );
  const childRunId = step(result, 'send', 'emit').outputs['workflow-run-id'];
  assert.equal(String(result.runs[1]?.runId), childRunId);
  assert.match(output, new RegExp(`deploying to staging run ${childRunId} event type deploy.requested`));
});

test('composite actions: inputs, their own steps context, if:, nested node actions with post steps, outputs', async () => {
  const { result, output } = await runIn(
    {
      ...NODE_ACTION,
      'comp/action.yml': `name: comp
inputs:
  word:
    default: plain
outputs:
  shout:
    value: \${{ steps.up.outputs.loud }}
  greeting:
    value: \${{ steps.greet.outputs.greeting }}
runs:
  using: composite
  steps:
    - id: up
      shell: bash
      env:
        WORD: \${{ inputs.word }}
      run: echo "loud=\${WORD^^}" >> "$GITHUB_OUTPUT"
    - id: greet
      uses: ./greet
      with:
        who: \${{ steps.up.outputs.loud }}
    - if: failure()
      shell: bash
      run: echo never
    - shell: bash
      run: echo "composite saw \${{ steps.greet.outputs.greeting }} in $GITHUB_ACTION_PATH"
`,
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: c
        uses: ./comp
        with:
          word: hey
      - run: echo "outputs \${{ steps.c.outputs.shout }} / \${{ steps.c.outputs.greeting }}"
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.deepEqual(step(result, 'a', 'c').outputs, { shout: 'HEY', greeting: 'hi HEY' });
  assert.match(output, /composite saw hi HEY in .*\/comp/);
  assert.match(output, /- Run echo never \(skipped\)/);
  assert.match(output, /outputs HEY \/ hi HEY/);
  assert.match(output, /post for HEY input HEY/);
});

test('job continue-on-error, vars, annotations and ::group::, job summaries written to .autostack/summaries', async () => {
  const { result, output, root } = await runIn(
    {
      [W]: `on: push
jobs:
  flaky:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps:
      - run: |
          echo "::group::details"
          echo "inside the group"
          echo "::endgroup::"
          echo "::warning file=app.js,line=3::looks odd"
          echo "::error::it broke"
          echo "## Flaky summary" >> "$GITHUB_STEP_SUMMARY"
          exit 1
  after:
    needs: flaky
    runs-on: ubuntu-latest
    steps:
      - run: echo "region=\${{ vars.REGION }} flaky=\${{ needs.flaky.result }}"
`,
    },
    { event: 'push' },
    { vars: { REGION: 'eu-west' } },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.equal(job(result, 'flaky').result, 'success');
  assert.match(output, /job flaky failed; continue-on-error lets the workflow go on/);
  assert.match(output, /region=eu-west flaky=success/);
  assert.match(output, /▾ details\n.*│ {5}inside the group/);
  assert.deepEqual(job(result, 'flaky').steps[0]?.annotations, [
    { kind: 'warning', message: 'looks odd' },
    { kind: 'error', message: 'it broke' },
  ]);
  const summaryLine = /job summary: (\S+)/.exec(output);
  assert.ok(summaryLine, output);
  assert.match(readFileSync(join(root, summaryLine?.[1] ?? ''), 'utf8'), /## Flaky summary/);
});

test('strategy.matrix: cross product, exclude, include, matrix and strategy contexts, fail-fast, outputs for needs', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  test:
    runs-on: \${{ matrix.os }}
    name: test \${{ matrix.node }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [20, 22]
        exclude:
          - os: windows-latest
            node: 20
        include:
          - os: ubuntu-latest
            experimental: true
          - os: macos-latest
            node: 24
    outputs:
      last: \${{ steps.s.outputs.combo }}
    steps:
      - id: s
        run: |
          echo "combo \${{ matrix.os }}/\${{ matrix.node }} experimental=\${{ matrix.experimental || false }} index=\${{ strategy.job-index }}/\${{ strategy.job-total }}"
          echo "combo=\${{ matrix.os }}-\${{ matrix.node }}" >> "$GITHUB_OUTPUT"
  report:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: echo "needs result \${{ needs.test.result }} last \${{ needs.test.outputs.last }}"
  failing:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 1
      matrix:
        n: [1, 2, 3]
    steps:
      - run: test "\${{ matrix.n }}" != 2
`,
    },
    { event: 'push' },
  );
  const test = job(result, 'test');
  assert.deepEqual(
    test.instances?.map((instance) => instance.matrix),
    [
      { os: 'ubuntu-latest', node: 20, experimental: true },
      { os: 'ubuntu-latest', node: 22, experimental: true },
      { os: 'windows-latest', node: 22 },
      { os: 'macos-latest', node: 24 },
    ],
  );
  assert.equal(test.result, 'success');
  assert.match(output, /combo ubuntu-latest\/20 experimental=true index=0\/4/);
  assert.match(output, /combo windows-latest\/22 experimental=false index=2\/4/);
  assert.match(output, /┌ job test \(ubuntu-latest, 20, true\) — test 20/);
  assert.match(output, /needs result success last macos-latest-24/);
  const failing = job(result, 'failing');
  assert.deepEqual(
    failing.instances?.map((instance) => instance.result),
    ['success', 'failure', 'cancelled'],
  );
  assert.equal(failing.result, 'failure');
  assert.match(output, /- job failing \(3\) skipped \(cancelled by fail-fast\)/);
});

test('expandMatrix: a matrix from an expression must still be lists; an empty one is refused', async () => {
  const { expandMatrix } = await import('../../src/workflow/runner.js');
  assert.deepEqual(expandMatrix({ a: [1, 2], b: ['x'] }, 'w.yml:3'), [
    { a: 1, b: 'x' },
    { a: 2, b: 'x' },
  ]);
  assert.deepEqual(expandMatrix({ include: [{ only: 'one' }] }, 'w.yml:3'), [{ only: 'one' }]);
  assert.throws(() => expandMatrix({ a: 'not-a-list' }, 'w.yml:3'), /w\.yml:3: strategy\.matrix\.a must be a list/);
  assert.throws(() => expandMatrix({ a: [1], exclude: [{ a: 1 }] }, 'w.yml:3'), /expands to no combinations/);
  assert.throws(
    () =>
      expandMatrix(
        { a: Array.from({ length: 17 }, (_, i) => i), b: Array.from({ length: 16 }, (_, i) => i) },
        'w.yml:3',
      ),
    /272 combinations; GitHub allows 256/,
  );
});

test('on: workflow_run — a finished workflow starts the folder workflows listening for it, with its conclusion', async () => {
  const { result, output } = await runIn(
    {
      [W]: 'name: Build\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 1\n',
      '.github/workflows/after.yml': `name: After build
on:
  workflow_run:
    workflows: [Build]
    types: [completed]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - run: echo "build \${{ github.event.workflow_run.name }} ended \${{ github.event.workflow_run.conclusion }}"
`,
      '.github/workflows/unrelated.yml':
        'on:\n  workflow_run:\n    workflows: [Other]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo unrelated\n',
    },
    { event: 'push' },
  );
  assert.deepEqual(
    result.runs.map((run) => [run.workflow, run.conclusion]),
    [
      ['Build', 'failure'],
      ['After build', 'success'],
    ],
  );
  assert.match(output, /↪ workflow_run of 'Build' \(failure\) starts \.github\/workflows\/after\.yml/);
  assert.match(output, /build Build ended failure/);
  assert.doesNotMatch(output, /^│ {3}unrelated/m);
});

test('a node action whose entry point is missing is refused up front, naming the file', async () => {
  const message = await refusal(
    {
      'gone/action.yml': 'name: g\nruns:\n  using: node20\n  main: dist/index.js\n',
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: touch ran\n      - uses: ./gone\n',
    },
    { event: 'push' },
  );
  assert.match(
    message,
    /w\.yml:7: uses: \.\/gone — its entry point .*gone\/dist\/index\.js does not exist \(build the bundles: npm run build\)/,
  );
});
