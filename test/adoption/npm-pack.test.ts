// The package as npm would publish it: `npm pack`, installed into an empty project with the
// network off (--offline: every dependency must already be inside dist/), runs its bin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/job.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

test('npm pack → npm install --offline into an empty project → npx autostack --version', { timeout: 400_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'autostack-pack-'));
  // npm's own scratch files go under root too, so nothing is left in the temp directory.
  const env = {
    ...process.env,
    TMPDIR: join(root, 'tmp'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  mkdirSync(env.TMPDIR, { recursive: true });
  try {
    const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', root], REPO_ROOT, env)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]?.files.map((file) => file.path) ?? [];
    for (const needed of [
      'dist/cli/index.js',
      'dist/record-run/index.js',
      'actions/record-run/action.yml',
      'action.yml',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'package.json',
    ]) {
      assert.ok(files.includes(needed), `the tarball holds ${needed}`);
    }
    assert.ok(
      !files.some((file) => file.startsWith('src/') || file.startsWith('test/') || file.startsWith('node_modules/')),
      'no sources, tests or node_modules in the tarball',
    );

    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'adopter', version: '1.0.0', private: true }));
    run(npm, ['install', '--offline', '--no-audit', '--no-fund', join(root, packed[0]?.filename ?? '')], project, env);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'autostack', 'package.json'), 'utf8')) as {
      version: string;
      dependencies?: object;
    };
    assert.equal(installed.dependencies, undefined, 'no runtime dependencies: dist/ bundles them');
    const version = run('npx', ['--offline', '--no-install', 'autostack', '--version'], project, env).trim();
    assert.equal(version, installed.version);
    assert.match(run('npx', ['--offline', '--no-install', 'autostack', '--help'], project, env), /record-run/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
