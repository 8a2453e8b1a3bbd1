// The local runner against GitHub's documented behaviour, one test per point of issue 14
// (docs/local-runner.md has the fidelity table that names these tests).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isBasicExpression, isMapping } from '@actions/workflow-parser';
import { loadWorkflow } from '../../src/workflow/load.js';
import type { Json } from '../../src/workflow/expressions.js';
import { expandMatrix } from '../../src/workflow/matrix.js';
import { soleExpression } from '../../src/workflow/parser-workarounds.js';
import { job, refusal, runIn, step, workspace } from './helpers.js';

const W = '.github/workflows/w.yml';

test('1. ::set-output is honoured with the deprecation warning; ::set-env/::add-path only with ACTIONS_ALLOW_UNSECURE_COMMANDS', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  old:
    runs-on: ubuntu-latest
    steps:
      - id: out
        run: echo "::set-output name=colour::blue"
      - id: env
        continue-on-error: true
        run: echo "::set-env name=FOO::bar"
      - id: path
        continue-on-error: true
        run: echo "::add-path::/opt/nowhere"
      - run: echo "colour=\${{ steps.out.outputs.colour }} foo=\${FOO:-unset}"
  allowed:
    runs-on: ubuntu-latest
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: true
    steps:
      - run: |
          echo "::set-env name=FOO::bar"
          echo "::add-path::/opt/legacy-tools"
      - run: echo "foo=$FOO path-first=\${PATH%%:*}"
`,
    },
    { event: 'push' },
  );
  assert.equal(step(result, 'old', 'out').outputs.colour, 'blue');
  assert.match(output, /warning: The `set-output` command is deprecated and will be disabled soon/);
  assert.equal(step(result, 'old', 'env').outcome, 'failure');
  assert.match(step(result, 'old', 'env').error ?? '', /The `set-env` command is disabled/);
  assert.match(output, /error: Unable to process command '::set-env name=FOO::bar' successfully\./);
  assert.match(
    output,
    /opt into unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`/,
  );
  assert.equal(step(result, 'old', 'path').outcome, 'failure');
  assert.match(output, /colour=blue foo=unset/);
  assert.equal(job(result, 'allowed').result, 'success', output);
  assert.match(output, /foo=bar path-first=\/opt\/legacy-tools/);
});

test("2. matrix include follows GitHub's documented algorithm (the fruit/animal example)", async () => {
  const matrix: Json = {
    fruit: ['apple', 'pear'],
    animal: ['cat', 'dog'],
    include: [
      { color: 'green' },
      { color: 'pink', animal: 'cat' },
      { fruit: 'apple', shape: 'circle' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ],
  };
  assert.deepEqual(expandMatrix(matrix, 'w.yml:3'), [
    { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
    { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
    { fruit: 'pear', animal: 'cat', color: 'pink' },
    { fruit: 'pear', animal: 'dog', color: 'green' },
    { fruit: 'banana' },
    { fruit: 'banana', animal: 'cat' },
  ]);
});

test('3. pull_request: github.ref is refs/pull/N/merge; head_ref, base_ref, GITHUB_HEAD_REF, GITHUB_BASE_REF come from the payload', async () => {
  const payload = {
    action: 'opened',
    number: 7,
    pull_request: { number: 7, head: { ref: 'feature/x' }, base: { ref: 'main' } },
    sender: { login: 'mona' },
  };
  const { result, output } = await runIn(
    {
      [W]: `on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "ctx ref=\${{ github.ref }} name=\${{ github.ref_name }} head=\${{ github.head_ref }} base=\${{ github.base_ref }}"
          echo "env ref=$GITHUB_REF head=$GITHUB_HEAD_REF base=$GITHUB_BASE_REF"
`,
    },
    { event: 'pull_request', payload },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /ctx ref=refs\/pull\/7\/merge name=7\/merge head=feature\/x base=main/);
  assert.match(output, /env ref=refs\/pull\/7\/merge head=feature\/x base=main/);
});

test('4. GITHUB_*/RUNNER_* the runner sets cannot be overwritten by env: or GITHUB_ENV; NODE_OPTIONS is refused in GITHUB_ENV', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      GITHUB_REPOSITORY: evil/job-level
    steps:
      - id: write
        env:
          RUNNER_OS: Plan9
          GITHUB_REF: refs/heads/evil
        run: |
          echo "step env os=$RUNNER_OS ref=$GITHUB_REF repo=$GITHUB_REPOSITORY"
          echo "GITHUB_SHA=evil" >> "$GITHUB_ENV"
          echo "RUNNER_TEMP=/evil" >> "$GITHUB_ENV"
          echo "NODE_OPTIONS=--require /tmp/evil.js" >> "$GITHUB_ENV"
          echo "GITHUB_CUSTOM=mine" >> "$GITHUB_ENV"
      - run: echo "next sha=$GITHUB_SHA temp-evil=$([ "$RUNNER_TEMP" = /evil ] && echo yes || echo no) node-options=\${NODE_OPTIONS:-unset} custom=$GITHUB_CUSTOM"
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /step env os=Linux ref=refs\/heads\/\S+ repo=octo-org\/octo-repo/);
  assert.doesNotMatch(output, /next sha=evil/);
  assert.match(output, /temp-evil=no node-options=unset custom=mine/);
  assert.match(output, /error: Can't store NODE_OPTIONS output parameter using '\$GITHUB_ENV' command\./);
  assert.deepEqual(step(result, 'a', 'write').annotations, [
    { kind: 'error', message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command." },
  ]);
});

test('5. a job past its timeout-minutes is cancelled: cancelled() steps run, failure() steps do not', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on: push
jobs:
  slow:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - id: sleep
        run: sleep 30
      - id: on-failure
        if: failure()
        run: echo failure step ran
      - id: on-cancel
        if: cancelled()
        run: echo "cancelled step ran, job.status=\${{ job.status }}"
`,
    },
    { event: 'push' },
  );
  assert.equal(step(result, 'slow', 'sleep').outcome, 'cancelled');
  assert.equal(step(result, 'slow', 'on-failure').outcome, 'skipped');
  assert.equal(step(result, 'slow', 'on-cancel').outcome, 'success');
  assert.match(output, /cancelled step ran, job.status=cancelled/);
  assert.doesNotMatch(output, /^│ {3}failure step ran/m);
  assert.equal(job(result, 'slow').result, 'cancelled');
  assert.match(output, /has exceeded the maximum execution time of 0\.02 minutes/);
});

const INNER = `name: inner
inputs:
  word:
    default: x
outputs:
  loud:
    value: \${{ steps.up.outputs.loud }}
runs:
  using: composite
  steps:
    - id: up
      shell: bash
      run: echo "loud=\${{ inputs.word }}!" >> "$GITHUB_OUTPUT"
`;

test("6. local actions resolve when their step runs; nested composites run; a local action with runs.pre runs main with GitHub's warning", async () => {
  const { result, output } = await runIn(
    {
      'inner/action.yml': INNER,
      'outer/action.yml': `name: outer
outputs:
  said:
    value: \${{ steps.nested.outputs.loud }}
runs:
  using: composite
  steps:
    - id: nested
      uses: ./inner
      with:
        word: hello
`,
      'withpre/action.yml': 'name: withpre\nruns:\n  using: node20\n  pre: pre.js\n  main: main.js\n',
      'withpre/pre.js': 'console.log("pre ran");\n',
      'withpre/main.js': 'console.log("main ran");\n',
      [W]: `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir -p generated
          printf 'name: gen\\nruns:\\n  using: composite\\n  steps:\\n    - shell: bash\\n      run: echo generated action ran\\n' > generated/action.yml
      - uses: ./generated
      - if: false
        uses: ./never-written
      - id: outer
        uses: ./outer
      - uses: ./withpre
      - run: echo "nested said \${{ steps.outer.outputs.said }}"
`,
    },
    { event: 'push' },
  );
  assert.equal(result.conclusion, 'success', output);
  assert.match(output, /generated action ran/);
  assert.match(output, /- Run \.\/never-written \(skipped/);
  assert.match(output, /nested said hello!/);
  assert.match(output, /warning: `pre` execution is not supported for local action from '\.\/withpre'/);
  assert.match(output, /main ran/);
  assert.doesNotMatch(output, /pre ran/);
  // A local action that is not there when its step runs fails that step, as on GitHub; the run was not refused.
  const missing = await runIn(
    {
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./nowhere\n      - if: failure()\n        run: echo after missing\n',
    },
    { event: 'push' },
  );
  const first = job(missing.result, 'a').steps[0];
  assert.equal(first?.outcome, 'failure');
  assert.match(first?.error ?? '', /no action\.yml or action\.yaml/);
  assert.match(missing.output, /after missing/);
});

test('7. --payload inputs feed inputs.*, github.actor is sender.login, strategy.max-parallel, a missing working-directory is named', async () => {
  const { result, output } = await runIn(
    {
      [W]: `on:
  workflow_dispatch:
    inputs:
      target:
        default: staging
      dry-run:
        type: boolean
        default: true
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "inputs target=\${{ inputs.target }} dry=\${{ inputs.dry-run }} event=\${{ github.event.inputs.target }} actor=\${{ github.actor }} env-actor=$GITHUB_ACTOR"
      - id: nowhere
        working-directory: does/not/exist
        continue-on-error: true
        run: echo never
  m:
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 2
      matrix:
        n: [1, 2, 3]
    steps:
      - run: echo "n=\${{ matrix.n }} max-parallel=\${{ strategy.max-parallel }}"
`,
    },
    {
      event: 'workflow_dispatch',
      payload: { inputs: { target: 'production', 'dry-run': 'false' }, sender: { login: 'mona' } },
    },
  );
  assert.match(output, /inputs target=production dry=false event=production actor=mona env-actor=mona/);
  assert.equal(step(result, 'a', 'nowhere').outcome, 'failure');
  assert.match(
    step(result, 'a', 'nowhere').error ?? '',
    /w\.yml:\d+: working-directory 'does\/not\/exist' does not exist/,
  );
  assert.match(output, /n=1 max-parallel=2/);
});

test('7. a multi-line `matrix: |` holding one ${{ fromJSON(…) }} is read as that expression (parser defect worked around)', async () => {
  const yaml = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    strategy:
      matrix: |
        \${{ fromJSON('{"n":[1,2]}') }}
    steps:
      - run: echo "n=\${{ matrix.n }}"
`;
  // The defect, on the parser itself: the block scalar becomes format('…{0}\\n', fromJSON(…)), a string.
  const root = workspace({ 'w.yml': yaml });
  const loaded = await loadWorkflow(join(root, 'w.yml'), root);
  const strategy = loaded.jobs[0]?.raw.find('strategy');
  const token = strategy && isMapping(strategy) ? strategy.find('matrix') : undefined;
  assert.ok(token && isBasicExpression(token));
  assert.match(token.expression, /^format\('\s*\{0\}\n', fromJSON/);
  assert.equal(soleExpression(token), `fromJSON('{"n":[1,2]}')`);
  const { result, output } = await runIn({ [W]: yaml }, { event: 'push' });
  assert.deepEqual(
    job(result, 'a').instances?.map((instance) => instance.matrix),
    [{ n: 1 }, { n: 2 }],
    output,
  );
});

/** Each job records when its sleep started and ended (ms since the epoch) in the workspace. */
const TWO_SLEEPERS = `on: push
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo "one $(date +%s%3N)" >> times; sleep 2; echo "one-end $(date +%s%3N)" >> times
  two:
    runs-on: ubuntu-latest
    steps:
      - run: echo "two $(date +%s%3N)" >> times; sleep 2; echo "two-end $(date +%s%3N)" >> times
  after:
    needs: [one, two]
    runs-on: ubuntu-latest
    steps:
      - run: echo after both
`;

function times(root: string): Record<string, number> {
  return Object.fromEntries(
    readFileSync(join(root, 'times'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([name = '', at = '0']) => [name, Number(at)]),
  );
}

test('8. independent jobs run in parallel (two 2 s sleeps overlap), their output grouped per job; --jobs 1 runs them one at a time', async () => {
  const started = Date.now();
  const parallel = await runIn({ [W]: TWO_SLEEPERS }, { event: 'push' }, { jobs: 4 });
  const wall = Date.now() - started;
  assert.equal(parallel.result.conclusion, 'success', parallel.output);
  const t = times(parallel.root);
  assert.ok(
    (t.two ?? 0) < (t['one-end'] ?? 0) && (t.one ?? 0) < (t['two-end'] ?? 0),
    `the sleeps overlap: ${JSON.stringify(t)}`,
  );
  // Grouped: job two's box is printed whole after job one's, never interleaved with it.
  const out = parallel.output;
  assert.ok(out.indexOf('└ job one') < out.indexOf('┌ job two'), out);
  assert.ok(out.indexOf('┌ job after') > out.indexOf('└ job two'), out);
  process.stdout.write(`# two 2 s jobs in parallel: ${wall} ms for the whole session\n`);

  const serial = await runIn({ [W]: TWO_SLEEPERS }, { event: 'push' }, { jobs: 1 });
  const s = times(serial.root);
  assert.ok((s.two ?? 0) >= (s['one-end'] ?? 0), `--jobs 1 runs one job at a time: ${JSON.stringify(s)}`);
});

test('8. --jobs must be a whole number of at least 1', async () => {
  assert.match(
    await refusal({ [W]: TWO_SLEEPERS }, { event: 'push' }, { jobs: 0 }),
    /jobs must be a whole number of at least 1/,
  );
});

test('6. a composite action that uses itself is refused up front, naming the step', async () => {
  const message = await refusal(
    {
      'loop/action.yml': 'name: loop\nruns:\n  using: composite\n  steps:\n    - uses: ./loop\n',
      [W]: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./loop\n',
    },
    { event: 'push' },
  );
  assert.match(
    message,
    /\.\/loop \(action\.yml runs\.steps\[0\]\): uses: \.\/loop — composite actions nest at most 9 levels deep/,
  );
});
