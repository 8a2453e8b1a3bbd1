import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildToolExecutor, parseToolDeclarations } from '../../src/ai/tools.js';
import { UserError } from '../../src/shared/errors.js';
import { tempDir } from '../harness/temp.js';

/** A workspace with a sibling folder outside it, to aim escapes at. */
function workspace(): { root: string; outside: string } {
  const base = tempDir('command-tool-');
  const root = join(base, 'workspace');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(root, 'notes.txt'), 'config migration crash\n');
  writeFileSync(join(outside, 'secret.txt'), 'not yours\n');
  return { root, outside };
}

function tools(yamlish: unknown[], root: string, env: NodeJS.ProcessEnv = { PATH: process.env.PATH }) {
  return buildToolExecutor(parseToolDeclarations(yamlish, 'test.prompt.yml'), { cwd: root, env });
}

const TOUCH = {
  name: 'make_file',
  type: 'command',
  command: 'touch',
  args: ['--', '{file}'],
  parameters: { file: { type: 'path', 'must-exist': false } },
};

describe('command tools: declarations', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['timeout running a shell', { command: 'timeout', args: ['5', 'sh', '-c', '{s}'] }, /must not be a shell/],
    ['env', { command: 'env' }, /command runner/],
    ['/usr/bin/env by path', { command: '/usr/bin/env' }, /command runner/],
    ['xargs', { command: 'xargs', args: ['rm'] }, /command runner/],
    ['nice and nohup', { command: 'nohup' }, /command runner/],
    ['find (-exec)', { command: 'find', args: ['.', '-exec', 'rm', '{}', ';'] }, /command runner/],
    ['python3.12', { command: 'python3.12' }, /interpreter/],
    ['a slot not declared', { command: 'cat', args: ['{file}'] }, /args\.0 uses \{file\}, which is not declared/],
    [
      'a parameter no slot uses',
      { command: 'cat', parameters: { file: { type: 'path' } } },
      /parameters\.file is declared but no \{slot\}/,
    ],
    ['the old free-form args key', { command: 'cat', arguments: true }, /Unrecognized key/],
    [
      'a bad slot pattern',
      { command: 'echo', args: ['{x}'], parameters: { x: { type: 'string', pattern: '(' } } },
      /valid regular expression/,
    ],
  ];
  for (const [what, declaration, message] of refused) {
    test(`refused: ${what}`, () => {
      assert.throws(
        () => parseToolDeclarations([{ name: 'run', type: 'command', ...(declaration as object) }], 'test.prompt.yml'),
        (error: unknown) =>
          error instanceof UserError &&
          /^test\.prompt\.yml: tools\[0\] \(run\) /.test(error.message) &&
          message.test(error.message),
      );
    });
  }

  test('the model is offered the slots as named parameters, and nothing else', () => {
    const { root } = workspace();
    const executor = tools(
      [
        {
          name: 'grep_notes',
          type: 'command',
          command: 'grep',
          args: ['-n', '-e', '{pattern}', '--', '{file}'],
          parameters: {
            pattern: { type: 'string', pattern: '[A-Za-z ]{1,40}', description: 'Words to find' },
            file: { type: 'path' },
          },
        },
      ],
      root,
    );
    assert.deepEqual(executor.definitions[0]?.input_schema, {
      type: 'object',
      properties: {
        pattern: { type: 'string', pattern: '[A-Za-z ]{1,40}', maxLength: 1000, description: 'Words to find' },
        file: { type: 'string', description: 'A path relative to the workspace' },
      },
      required: ['pattern', 'file'],
      additionalProperties: false,
    });
  });
});

describe('command tools: calls', () => {
  test('a valid call runs with the author’s argv and the model’s values', async () => {
    const { root } = workspace();
    const executor = tools(
      [
        {
          name: 'grep_notes',
          type: 'command',
          command: 'grep',
          args: ['-n', '-e', '{pattern}', '--', '{file}'],
          parameters: { pattern: { type: 'string', pattern: '[A-Za-z ]{1,40}' }, file: { type: 'path' } },
        },
      ],
      root,
    );
    const result = await executor.execute('grep_notes', { pattern: 'migration', file: 'notes.txt' }, 't1');
    assert.equal(result.isError, false);
    assert.match(result.content, /exit code: 0\nstdout:\n1:config migration crash/);
  });

  test('bypass attempts are refused before anything runs', async () => {
    const { root, outside } = workspace();
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync('/bin/sh', join(root, 'innocent'));
    const executor = tools(
      [
        TOUCH,
        { name: 'say', type: 'command', command: 'touch', args: ['{word}'], parameters: { word: { type: 'string' } } },
        {
          name: 'mode',
          type: 'command',
          command: 'touch',
          args: ['{m}'],
          parameters: { m: { type: 'enum', values: ['a', 'b'] } },
        },
        // A symlink in the workspace pointing at a shell: refused by what it resolves to.
        {
          name: 'linked',
          type: 'command',
          command: './innocent',
          args: ['{x}'],
          parameters: { x: { type: 'string' } },
        },
      ],
      root,
    );
    const attempts: Array<[string, unknown, RegExp]> = [
      ['make_file', { file: '../outside/planted' }, /outside the workspace/],
      ['make_file', { file: join(outside, 'planted') }, /outside the workspace/],
      ['make_file', { file: 'escape/planted' }, /outside the workspace/],
      ['make_file', { file: '--no-create' }, /must not start with '-'/],
      ['make_file', { file: 'ok', extra: 'x' }, /unknown parameter extra/],
      ['make_file', { args: ['-c', 'rm -rf /'] }, /unknown parameter args/],
      ['say', { word: '--reference=/etc/passwd' }, /must not start with '-'/],
      ['say', { word: '-c' }, /must not start with '-'/],
      ['say', { word: 'two\nlines' }, /control characters/],
      ['say', { word: 7 }, /must be a string/],
      ['say', {}, /word is required/],
      ['mode', { m: 'c' }, /must be one of a, b/],
      ['linked', { x: 'planted' }, /resolves to dash|resolves to sh|resolves to bash|resolves to busybox/],
    ];
    for (const [name, input, message] of attempts) {
      const result = await executor.execute(name, input, 't');
      assert.equal(result.isError, true, `${name} ${JSON.stringify(input)}`);
      assert.match(result.content, /^refused: /);
      assert.match(result.content, message, `${name} ${JSON.stringify(input)}`);
    }
    assert.deepEqual(readdirSync(outside), ['secret.txt'], 'nothing was created outside');
    assert.deepEqual(readdirSync(root).sort(), ['escape', 'innocent', 'notes.txt'], 'nothing ran inside either');
  });

  test('a path slot that stays inside the workspace is accepted, even through a new folder', async () => {
    const { root } = workspace();
    mkdirSync(join(root, 'out'));
    const result = await tools([TOUCH], root).execute('make_file', { file: 'out/../out/made.txt' }, 't');
    assert.equal(result.isError, false, result.content);
    assert.ok(existsSync(join(root, 'out', 'made.txt')));
  });

  test('a slot pattern is matched against the whole value', async () => {
    const { root } = workspace();
    const executor = tools(
      [
        {
          name: 'say',
          type: 'command',
          command: 'echo',
          args: ['{n}'],
          parameters: { n: { type: 'string', pattern: '[0-9]+' } },
        },
      ],
      root,
    );
    assert.match(
      (await executor.execute('say', { n: '12; rm -rf /' }, 't')).content,
      /refused: n must match \[0-9\]\+/,
    );
    assert.match((await executor.execute('say', { n: '12' }, 't')).content, /stdout:\n12\n/);
  });

  test('allow-flags lets a slot take an option, and only then', async () => {
    const { root } = workspace();
    const executor = tools(
      [
        {
          name: 'say',
          type: 'command',
          command: 'echo',
          args: ['{flag}', 'x'],
          parameters: { flag: { type: 'enum', values: ['-n', '-e'], 'allow-flags': true } },
        },
      ],
      root,
    );
    const result = await executor.execute('say', { flag: '-n' }, 't');
    assert.equal(result.content, 'exit code: 0\nstdout:\nx');
  });

  test('the environment is PATH and the declared names only', async () => {
    const { root } = workspace();
    const env = {
      PATH: process.env.PATH,
      HOME: '/home/runner',
      ANTHROPIC_API_KEY: 'sk-ant-should-never-be-seen-0000',
      GITHUB_TOKEN: 'ghs_should_never_be_seen_0000',
      LANG: 'C.UTF-8',
    };
    const executor = tools(
      [{ name: 'show_env', type: 'command', command: 'printenv', env: ['LANG', 'NOT_SET'] }],
      root,
      env,
    );
    const result = await executor.execute('show_env', {}, 't');
    assert.equal(result.isError, false, result.content);
    const names = result.content
      .replace(/^exit code: 0\nstdout:\n/, '')
      .trim()
      .split('\n')
      .map((line) => line.split('=')[0])
      .sort();
    assert.deepEqual(names, ['LANG', 'PATH']);
  });

  test('an optional slot left out drops its argument', async () => {
    const { root } = workspace();
    const executor = tools(
      [
        {
          name: 'say',
          type: 'command',
          command: 'echo',
          args: ['a', '{b}', 'c'],
          parameters: { b: { type: 'string', optional: true } },
        },
      ],
      root,
    );
    assert.match((await executor.execute('say', {}, 't')).content, /stdout:\na c\n/);
    assert.match((await executor.execute('say', { b: 'B' }, 't')).content, /stdout:\na B c\n/);
  });
});
