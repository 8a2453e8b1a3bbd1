import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { releaseNotes } from '../../scripts/release-notes.js';
import { REPO_ROOT } from '../harness/job.js';

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2026-12-01

### Added
- a thing

## 1.1.0

- older
`;

test('release notes are the version section of the changelog, with or without the v', () => {
  assert.equal(releaseNotes(CHANGELOG, 'v1.2.0'), '### Added\n- a thing\n');
  assert.equal(releaseNotes(CHANGELOG, '1.1.0'), '- older\n');
});

test('a missing or empty section, or a tag that is not a version, is one clear error', () => {
  assert.throws(
    () => releaseNotes(CHANGELOG, 'v9.9.9'),
    /no section for 9\.9\.9 \(add a heading '## \[9\.9\.9\] - YYYY-MM-DD'\)/,
  );
  assert.throws(() => releaseNotes('## [1.0.0]\n\n## [0.9.0]\n- x\n', 'v1.0.0'), /section for 1\.0\.0 is empty/);
  assert.throws(() => releaseNotes(CHANGELOG, 'latest'), /'latest' is not a version/);
  assert.throws(() => releaseNotes('## [1.2.0]\n', 'v1.2'), /not a version/);
});

test("the package's own version has release notes, as the release workflow will ask", () => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/release-notes.ts', `v${version}`], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(result.stdout.trim().length > 20);
});

interface Step {
  uses?: string;
  run?: string;
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }>;
}

test('the release workflow: version tags only, read-only until the release job, tests and dist check before it', () => {
  const workflow = parseYaml(readFileSync(join(REPO_ROOT, '.github/workflows/release.yml'), 'utf8')) as Workflow;
  assert.deepEqual(workflow.on.push.tags, ['v*.*.*']);
  assert.deepEqual(workflow.permissions, {});
  const verify = workflow.jobs.verify;
  const release = workflow.jobs.release;
  assert.ok(verify && release);
  assert.deepEqual(verify.permissions, { contents: 'read' });
  assert.deepEqual(release.permissions, { contents: 'write' });
  const verifyScript = verify.steps.map((step) => step.run ?? '').join('\n');
  assert.match(verifyScript, /\.ci\/run/, 'typecheck, build, dist/ check and every test');
  assert.match(verifyScript, /release-notes\.ts/);
  const releaseScript = release.steps.map((step) => step.run ?? '').join('\n');
  assert.match(releaseScript, /gh release create/);
  assert.match(releaseScript, /git\/refs\/tags\/\$\{?major/, 'moves the major tag');
  assert.ok(
    release.steps.every((step) => step.uses === undefined),
    'the job holding a write token runs no third-party code',
  );
  const npm = workflow.jobs.npm;
  assert.ok(npm, 'the npm publish job');
  assert.deepEqual(npm.permissions, { contents: 'read', 'id-token': 'write' });
  assert.match(npm.steps.map((step) => step.run ?? '').join('\n'), /npm publish --provenance/);
});
