// hashFiles() against the runner's own computation: the runner runs @actions/glob's hashFiles in
// the workspace without following symbolic links, so that is the oracle here. Same files, same
// order, same hash — node_modules and dot folders included, directories expanded, `!` in order.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { hashFiles as runnerHashFiles } from '@actions/glob';
import { evaluateExpression } from '../../src/workflow/expressions.js';
import { hashFiles } from '../../src/workflow/hash-files.js';
import { tempDir } from '../harness/temp.js';

function tree(files: Record<string, string>): string {
  const root = tempDir('autostack-hashfiles-');
  const workspace = join(root, 'work space [1]'); // a path with glob characters in it
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  return workspace;
}

/** What the runner computes: @actions/glob's hashFiles over the patterns rooted at the workspace. */
async function runnerHash(workspace: string, patterns: string[]): Promise<string> {
  const escaped = workspace.replace(/\[/g, '[[]');
  const rooted = patterns
    .join('\n')
    .split('\n')
    .map((line) => {
      const pattern = line.trim();
      if (!pattern || pattern.startsWith('#')) return pattern;
      const negate = /^!+/.exec(pattern)?.[0] ?? '';
      return `${negate}${escaped}/${pattern.slice(negate.length)}`;
    });
  return runnerHashFiles(rooted.join('\n'), workspace, { followSymbolicLinks: false });
}

const FILES = {
  'package-lock.json': 'root lock',
  'node_modules/left-pad/package-lock.json': 'nested lock in node_modules',
  'node_modules/left-pad/index.js': 'module.exports = 1',
  '.git/config': '[core]',
  '.github/workflows/ci.yml': 'on: push',
  'a/y.lock': 'a',
  'a-c/x.lock': 'a-c', // sorted as full paths, a-c/ comes before a/; @actions/glob walks a/ first
  'src/app.ts': 'app',
  'src/deep/er/z.lock': 'z',
  'docs/readme.md': 'docs',
};

test('hashFiles over a tree with node_modules matches the runner, pattern for pattern', async () => {
  const workspace = tree(FILES);
  symlinkSync(join(workspace, 'src'), join(workspace, 'src-link'));
  symlinkSync(join(workspace, 'a', 'y.lock'), join(workspace, 'linked.lock'));
  const cases: string[][] = [
    ['**/package-lock.json'],
    ['**/*.lock'],
    ['**/*.lock', '!a/**'],
    ['**', '!node_modules/**', 'node_modules/left-pad/index.js'],
    ['src'],
    ['src/'],
    ['*'],
    ['.github/**/*.yml', '# a comment', ''],
    ['**/*.lock\n!src/deep/**'],
    ['a-c/x.lock', 'a/y.lock'],
    ['nothing/**'],
  ];
  for (const patterns of cases) {
    const expected = await runnerHash(workspace, patterns);
    assert.equal(hashFiles(workspace, patterns), expected, `patterns ${JSON.stringify(patterns)}`);
  }
});

test('node_modules is hashed, and the order is the walk order, not the sorted paths', () => {
  const workspace = tree(FILES);
  const sha = (path: string) =>
    createHash('sha256')
      .update(readFileSync(join(workspace, path)))
      .digest();
  const over = (paths: string[]) => {
    const outer = createHash('sha256');
    for (const path of paths) outer.update(sha(path));
    return outer.digest('hex');
  };
  assert.equal(
    hashFiles(workspace, ['**/package-lock.json']),
    over(['node_modules/left-pad/package-lock.json', 'package-lock.json']),
  );
  assert.equal(hashFiles(workspace, ['a/*.lock', 'a-c/*.lock']), over(['a/y.lock', 'a-c/x.lock']));
  assert.equal(hashFiles(workspace, [`${dirname(workspace)}/**`]), hashFiles(workspace, ['**']), 'only the workspace');
  assert.throws(
    () => hashFiles(workspace, ['../**']),
    /hashFiles\('\.\.\/\*\*'\): '\.' and '\.\.' segments are not allowed/,
  );
});

test('the expression function hashes relative to the workspace and is empty without one', () => {
  const workspace = tree(FILES);
  const scope = { contexts: {}, workspace, where: 't.yml:1' };
  assert.equal(
    evaluateExpression("hashFiles('**/package-lock.json')", scope),
    hashFiles(workspace, ['**/package-lock.json']),
  );
  assert.equal(
    evaluateExpression("hashFiles('**/*.lock', '!a/**')", scope),
    hashFiles(workspace, ['**/*.lock', '!a/**']),
  );
  assert.equal(evaluateExpression("hashFiles('**/*.lock')", { contexts: {}, where: 't.yml:2' }), '');
});
