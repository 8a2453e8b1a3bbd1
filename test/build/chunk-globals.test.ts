// Chunks declare CommonJS's require/__filename/__dirname only where their code reads them
// (scripts/build-globals.mjs): most chunks hold no bundled CommonJS package, and the old
// everywhere-banner cost three built-in imports per file on every start.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { freeCommonJsGlobals, withCommonJsGlobals } from '../../scripts/build-globals.mjs';
import { REPO_ROOT } from '../harness/job.js';

const DIST = join(REPO_ROOT, 'dist');
const DECLARED = /^(?:#![^\n]*\n)?((?:import\{[^}]+\}from'node:(?:module|url|path)';)+const [^\n]*)\n/;

function jsFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

test('free references count; strings, property names, object keys and shadowing locals do not', async () => {
  assert.deepEqual(await freeCommonJsGlobals('var a=typeof require<"u"?require:null;'), ['require']);
  assert.deepEqual(await freeCommonJsGlobals('f(...require.cache);g(__dirname+__filename)'), [
    'require',
    '__filename',
    '__dirname',
  ]);
  assert.deepEqual(
    await freeCommonJsGlobals(
      'x.require(1);var o={require:"./cjs/index.js"};throw Error(`require("a") and __dirname`);function f(require){return require(1)}',
    ),
    [],
  );
});

test('the declarations go after a #! line, and code that reads none stays as it was', async () => {
  const code = '#!/usr/bin/env node\nconsole.log(__dirname);\n';
  const declared = await withCommonJsGlobals(code);
  assert.match(declared, /^#!\/usr\/bin\/env node\nimport\{fileURLToPath as __asDirPath\}from'node:url';/);
  assert.ok(declared.endsWith('\nconsole.log(__dirname);\n'));
  assert.equal(await withCommonJsGlobals('console.log(1);'), 'console.log(1);');
});

test('each file in dist/ declares exactly the CommonJS globals its code reads', async () => {
  const files = jsFiles(DIST);
  assert.ok(files.length > 10, `dist/ has ${files.length} files: run npm run build`);
  const declaring: string[] = [];
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const declarations = DECLARED.exec(text)?.[1] ?? '';
    const code = declarations ? text.replace(`${declarations}\n`, '') : text;
    const declaredNames = ['require', '__filename', '__dirname'].filter((name) =>
      declarations.includes(`const ${name}=`),
    );
    assert.deepEqual(declaredNames, await freeCommonJsGlobals(code), relative(DIST, path));
    if (declarations) declaring.push(relative(DIST, path));
  }
  // esbuild's runtime chunk (its __require reads `require`) at least; never most of them again.
  assert.ok(declaring.length >= 1 && declaring.length < files.length / 4, declaring.join(', '));
});
