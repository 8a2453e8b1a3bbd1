// Each action's start path in few files (scripts/build-kernels.mjs): the ES-module loader costs
// about 0.45 ms per file on Node 24, and before the start kernels record-run's main step loaded 16
// files, run-prompt 33. Read from the built dist/: the entry, its static imports, the one import()
// it makes, and everything that one imports statically.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/job.js';

const DIST = join(REPO_ROOT, 'dist');
const STATIC = /(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+)"/g;
const DYNAMIC = /\bimport\("(\.{1,2}\/[^"]+)"\)/g;

function targets(file: string, pattern: RegExp): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(pattern)].map((match) => resolve(dirname(file), match[1] ?? ''));
}

function staticClosure(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...targets(file, STATIC));
  }
  return seen;
}

// Upper bounds, as built on 3 Dec 2026 (before → after): a new file on a start path should be a choice.
const MAX_FILES: Record<string, number> = {
  'record-run': 4, // 16 → 4: entry, esbuild's helpers, the start module, the common kernel
  'record-run-post': 5, // 20 → 5
  // 24 → 5, then 7 after the merges: the hashing kernel it shares with run-prompt (sha256 moved to shared/),
  // and runs/step.ts, which promote-prompt now imports with its promotion core (its own reachability set).
  'emit-event': 7,
  'promote-prompt': 6, // 24 → 6 (yaml in its own chunk)
  'run-prompt': 9, // 33 → 9 (yaml, zod and zod's core in their own chunks)
};

for (const [action, max] of Object.entries(MAX_FILES)) {
  test(`${action}'s start path is at most ${max} files, with one import() from the entry`, () => {
    const entry = join(DIST, action, 'index.js');
    const starts = targets(entry, DYNAMIC);
    assert.equal(starts.length, 1, `${action}/index.js imports ${starts.length} modules with import()`);
    const files = staticClosure([entry, ...starts]);
    assert.ok(
      files.size <= max,
      `${action} loads ${files.size} files at start: ${[...files].map((file) => relative(DIST, file)).join(' ')}`,
    );
  });
}

// The entry turns the compile cache on before anything else loads (src/shared/compile-cache.ts takes node:module from
// getBuiltinModule; scripts/build.mjs drops esbuild's bare import of its helper chunk), so that every file of the start
// path, esbuild's helpers included, is compiled from and into the cache.
for (const action of Object.keys(MAX_FILES)) {
  test(`${action}'s entry imports nothing statically: its one import() comes after the compile cache is on`, () => {
    const text = readFileSync(join(DIST, action, 'index.js'), 'utf8');
    assert.deepEqual(targets(join(DIST, action, 'index.js'), STATIC), []);
    assert.ok(text.indexOf('enableCompileCache') < text.indexOf('import('), text);
  });
}
