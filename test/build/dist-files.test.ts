// What ships in dist/ (the bundles the runner starts): each file's bytes exist once. Two
// identical chunks mean two modules built the same code (scripts/build.mjs refuses them too).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/job.js';

const DIST = join(REPO_ROOT, 'dist');

function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

test('dist/ holds no byte-identical file twice', () => {
  const byHash = new Map<string, string[]>();
  const all = files(DIST);
  for (const path of all) {
    const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), relative(DIST, path)]);
  }
  assert.ok(all.length > 10, `dist/ has ${all.length} files: run npm run build`);
  assert.deepEqual(
    [...byHash.values()].filter((group) => group.length > 1),
    [],
  );
});

test('a dynamic import() of a Node built-in stays native: no wrapper chunk of its own', () => {
  // The wrapper esbuild would make: a chunk whose whole code is `module.exports = require("node:x")`.
  const wrappers = files(join(DIST, 'chunks')).filter((path) =>
    /^[^\n]*\n[^\n]*var \w+=\w+\(\(\w+,\w+\)=>\{\w+\.exports=\w+\("node:[a-z_/]+"\)\}\);export default \w+\(\);\s*$/.test(
      readFileSync(path, 'utf8'),
    ),
  );
  assert.deepEqual(
    wrappers.map((path) => relative(DIST, path)),
    [],
  );
});
