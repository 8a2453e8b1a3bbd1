// A step's outputs, variables or state in one append (io/output-file.ts) are the bytes
// @actions/core's setOutput, exportVariable and saveState write one value at a time, apart from
// the random delimiters.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as core from '@actions/core';
import { fc } from './settings.js';
import { appendFileCommands, outputCommands } from '../../src/io/output-file.js';
import { uuidFromBytes } from '../../src/shared/light-random.js';

const DELIMITER = /ghadelimiter_([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})/g;

/** The file's text with each delimiter numbered in order of first use, and the UUIDs seen. */
function normalized(text: string): { text: string; uuids: string[] } {
  const uuids: string[] = [];
  const out = text.replace(DELIMITER, (_, uuid: string) => {
    if (!uuids.includes(uuid)) uuids.push(uuid);
    return `D${uuids.indexOf(uuid)}`;
  });
  return { text: out, uuids };
}

type Variable = 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE';

function withOutputFile<T>(variable: Variable, run: (file: string) => T): T {
  const directory = mkdtempSync(join(tmpdir(), 'autostack-outputs-'));
  const before = { ...process.env };
  const file = join(directory, 'output');
  writeFileSync(file, 'earlier<<x\nkept\nx\n');
  process.env[variable] = file;
  try {
    return run(file);
  } finally {
    // core.exportVariable also sets the variable in this process: put the environment back.
    for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
    Object.assign(process.env, before);
    rmSync(directory, { recursive: true, force: true });
  }
}

/** What core writes to each file, one value at a time. */
const BY_CORE: Record<Variable, (name: string, value: string) => void> = {
  GITHUB_OUTPUT: core.setOutput,
  GITHUB_ENV: core.exportVariable,
  GITHUB_STATE: core.saveState,
};

const names = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,20}$/);
const values = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('', '\n', 'a\r\nb', '<<EOF'));

for (const variable of Object.keys(BY_CORE) as Variable[]) {
  test(`appendFileCommands writes to ${variable} what core writes for each value, delimiters apart, in one append`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(names, values), { maxLength: 14 }), (outputs) => {
        const byCore = withOutputFile(variable, (file) => {
          for (const [name, value] of outputs) BY_CORE[variable](name, value);
          return readFileSync(file, 'utf8');
        });
        const ours = withOutputFile(variable, (file) => {
          assert.equal(appendFileCommands(variable, outputs), true);
          return readFileSync(file, 'utf8');
        });
        const [expected, actual] = [normalized(byCore), normalized(ours)];
        assert.equal(actual.text, expected.text);
        // One fresh delimiter per value, as core makes them.
        assert.equal(actual.uuids.length, outputs.length);
      }),
    );
  });
}

test("a name or value that holds its delimiter is refused with core's message", () => {
  const random = Buffer.alloc(32, 7);
  const second = `ghadelimiter_${uuidFromBytes(random, 16)}`;
  assert.throws(
    () =>
      outputCommands(
        [
          ['a', 'x'],
          ['b', `before ${second} after`],
        ],
        random,
      ),
    new Error(`Unexpected input: value should not contain the delimiter "${second}"`),
  );
  assert.throws(
    () => outputCommands([[`n${second}`, 'x']], Buffer.alloc(16, 7)),
    /name should not contain the delimiter/,
  );
  assert.equal(outputCommands([], Buffer.alloc(0)), '');
});

test("without GITHUB_OUTPUT appendFileCommands leaves the outputs to core; a missing file is core's error", () => {
  const previous = process.env.GITHUB_OUTPUT;
  try {
    delete process.env.GITHUB_OUTPUT;
    assert.equal(appendFileCommands('GITHUB_OUTPUT', [['a', 'b']]), false);
    process.env.GITHUB_OUTPUT = join(tmpdir(), 'autostack-no-such-dir', 'output');
    assert.throws(() => appendFileCommands('GITHUB_OUTPUT', [['a', 'b']]), /^Error: Missing file at path: /);
  } finally {
    if (previous === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = previous;
  }
});
