// The start files' functions are compiled eagerly, so Node's compile cache holds them
// (scripts/build-eager.mjs): the transform keeps behaviour, and the built start paths have it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'acorn';
import { eagerFunctions } from '../../scripts/build-eager.mjs';
import { REPO_ROOT } from '../harness/job.js';

const DIST = join(REPO_ROOT, 'dist');

// Calls before the declarations, a declaration shadowing a parameter, nesting, generators,
// async functions, methods, getters, class fields, default parameters, `new function`, names.
const SAMPLE = `
export const early = twice(21);
function twice(x) { return helper(x) * 2; function helper(y) { return y; } }
function shadow(f) { function f() { return 'declared'; } return f(); }
function* count(n) { for (let i = 0; i < n; i++) yield i; }
async function later(v) { return v + 1; }
const arrows = (a) => (b) => a + b;
const object = { get size() { return 3; }, method() { return [1, 2].map(function (v) { return v * 10; }); } };
class Box { field = () => 'field'; static make() { return new Box(); } open() { return () => this.field(); } }
const made = new function () { this.kind = 'made'; }();
const withDefault = (fn = () => 'default') => fn();
export async function results() {
  return [early, shadow(() => 'param'), [...count(3)], await later(1), arrows(1)(2), object.size, object.method(),
    Box.make().open()(), made.kind, withDefault(), twice.name, later.name, count.name, twice.length];
}
`;

async function run(code: string): Promise<unknown> {
  const directory = mkdtempSync(join(tmpdir(), 'autostack-eager-'));
  try {
    const file = join(directory, 'sample.mjs');
    writeFileSync(file, code);
    const module = (await import(file)) as { results: () => Promise<unknown> };
    return await module.results();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test('eagerFunctions keeps what the code does: hoisting, shadowing, generators, methods, names', async () => {
  const eager = eagerFunctions(SAMPLE);
  assert.deepEqual(await run(eager), await run(SAMPLE));
  assert.match(eager, /^var twice=\(function\(x\) \{var helper=\(function\(y\)/);
  assert.match(eager, /get size\(\) \{/); // a getter keeps its syntax
  assert.match(eager, /method\(\) \{ return \[1, 2\]\.map\(\(function \(v\)/);
  assert.match(eager, /export async function results\(\)/); // an export declaration stays one
  assert.equal(eagerFunctions('#!/usr/bin/env node\nfunction f(){}f();').split('\n')[0], '#!/usr/bin/env node');
});

// Runners run actions on Node 24, whose V8 also compiles a parenthesized arrow at once (Node 20's
// does so for `(function` only). npm test and .ci/run provide the binary (scripts/test-provision.mjs).
const node24 = process.env.AUTOSTACK_NODE24;

/** The source ranges of the functions V8 compiled lazily (at their first call) in a run of the module. */
function lazilyCompiled(node: string, code: string): string[] {
  const directory = mkdtempSync(join(tmpdir(), 'autostack-eager-'));
  try {
    const file = join(directory, 'sample.mjs');
    const log = join(directory, 'v8.log');
    writeFileSync(file, `${code}\nawait results();\n`);
    const child = spawnSync(node, ['--log-function-events', `--logfile=${log}`, '--no-logfile-per-isolate', file]);
    assert.equal(child.status, 0, String(child.stderr));
    const lines = readFileSync(log, 'utf8').split('\n');
    const script = lines
      .find((line) => line.startsWith('script-details,') && line.includes('sample.mjs'))
      ?.split(',')[1];
    assert.ok(script, 'the sample is in the log');
    const ranges = lines
      .filter((line) => line.startsWith(`function,parse-function,${script},`))
      .map((line) => line.split(',').slice(3, 5).join('-'));
    return [...new Set(ranges)];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test(
  'Node 24 compiles the transformed functions at once, not at their first call',
  {
    skip: node24
      ? false
      : (process.env.AUTOSTACK_NODE24_SKIP ?? 'AUTOSTACK_NODE24 is not set (npm test and .ci/run set it)'),
  },
  () => {
    assert.ok(node24);
    const before = lazilyCompiled(node24, SAMPLE);
    const after = lazilyCompiled(node24, eagerFunctions(SAMPLE));
    // What keeps its syntax stays lazy: the export declaration, the getter, the two methods, the
    // static method and the class fields' initializer.
    assert.equal(after.length, 6, `lazily compiled after: ${after.join(' ')}`);
    assert.ok(before.length > after.length + 10, `lazily compiled before: ${before.length}`);
  },
);

type Node = { type: string; start: number; end: number; [key: string]: unknown };

function walk(node: Node, visit: (node: Node, parent: Node | undefined) => void, parent?: Node): void {
  visit(node, parent);
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value];
    for (const child of children)
      if (typeof (child as Node | null)?.type === 'string') walk(child as Node, visit, node);
  }
}

function startFiles(action: string): string[] {
  const entry = join(DIST, action, 'index.js');
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const pattern = file === entry ? /\bimport\("(\.{1,2}\/[^"]+)"\)/g : /(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+)"/g;
    stack.push(...[...text.matchAll(pattern)].map((match) => resolve(dirname(file), match[1] ?? '')));
  }
  return [...seen];
}

for (const action of ['run-prompt', 'emit-event', 'record-run', 'record-run-post', 'promote-prompt']) {
  test(`${action}: the entry imports nothing before the compile cache is on, its start files have eager functions`, () => {
    const files = startFiles(action);
    assert.doesNotMatch(readFileSync(join(DIST, action, 'index.js'), 'utf8'), /(?:\bfrom|\bimport)\s*"/);
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      let lazy = 0;
      walk(
        parse(code, { ecmaVersion: 'latest', sourceType: 'module', preserveParens: true }) as unknown as Node,
        (node, parent) => {
          const isFunction = node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
          const method =
            parent?.type === 'MethodDefinition' ||
            (parent?.type === 'Property' && parent.value === node && (parent.method || parent.kind !== 'init'));
          if (isFunction && !method && parent?.type !== 'ParenthesizedExpression') lazy += 1;
          if (node.type === 'FunctionDeclaration' && parent?.type === 'Program') lazy += 1;
        },
      );
      assert.equal(lazy, 0, `${relative(DIST, file)}: ${lazy} functions V8 would compile lazily`);
    }
  });
}
