import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadSchemaEngine } from '../../src/prompts/engine.js';
import { contentHash } from '../../src/prompts/normalize.js';
import {
  LOCK_FILE,
  loadPromotedPrompt,
  lockKey,
  parseLock,
  serializeLock,
  snapshotPath,
  type LockFile,
} from '../../src/prompts/lock.js';
import { unifiedDiff } from '../../src/promotion/report.js';
import { UserError } from '../../src/shared/errors.js';

const PROMPT = `name: Hi
messages:
  - role: user
    content: Say hi to {{name}}
`;

function sampleLock(hash: string, snapshot: string): LockFile {
  return {
    format: 'autostack.prompts-lock/v1',
    prompts: {
      'prompts/hi.prompt.yml': {
        production: {
          contentHash: hash,
          version: null,
          snapshot,
          commit: 'abc123',
          promotedBy: 'octocat',
          promotedAt: '2026-11-25T09:00:00.000Z',
          eval: null,
          previous: [],
        },
      },
    },
  };
}

function workspace(): string {
  return tempDir('autostack-lock-');
}

function put(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

// Schemas are read synchronously once ajv is loaded; the async entry points load it (schema.ts).
before(() => loadSchemaEngine());

describe('prompt lock', () => {
  test('serializes and parses back, with a header comment and sorted prompts', () => {
    const hash = contentHash(PROMPT);
    const lock = sampleLock(hash, snapshotPath(hash, 'prompts/hi.prompt.yml'));
    const text = serializeLock(lock);
    assert.match(text, /^# Promoted prompt versions/);
    assert.deepEqual(parseLock(text, LOCK_FILE), lock);
    assert.equal(
      snapshotPath(hash, 'prompts/hi.prompt.yml'),
      `.autostack/prompt-snapshots/${hash.slice(7)}.prompt.yml`,
    );
    assert.equal(snapshotPath(hash, 'docs/summary.md'), `.autostack/prompt-snapshots/${hash.slice(7)}.md`);
  });

  test('errors name the file and the line', () => {
    assert.throws(
      () => parseLock('format: [unclosed\n', LOCK_FILE),
      (error: unknown) =>
        error instanceof UserError &&
        /^\.autostack\/prompts\.lock\.yml:\d+: the prompt lock file is not valid YAML/.test(error.message),
    );
    assert.throws(
      () => parseLock('format: autostack.prompts-lock/v9\n', LOCK_FILE),
      /\.autostack\/prompts\.lock\.yml:1: prompt lock: format must be autostack\.prompts-lock\/v1 \(got 'autostack\.prompts-lock\/v9'\)/,
    );
    const hash = contentHash(PROMPT);
    const renamed = serializeLock(sampleLock(hash, snapshotPath(hash, 'prompts/hi.prompt.yml'))).replace(
      '    production:',
      '    "bad channel!":',
    );
    assert.throws(
      () => parseLock(renamed, LOCK_FILE),
      /prompts\.lock\.yml:7: prompt lock: prompts\["prompts\/hi\.prompt\.yml"\]\["bad channel!"\] is not a channel name/,
    );
    assert.deepEqual(parseLock('', LOCK_FILE), { format: 'autostack.prompts-lock/v1', prompts: {} });
  });

  test('lock keys are repository paths; files outside the repository are refused', () => {
    assert.equal(lockKey('./prompts/../prompts/hi.prompt.yml', '/repo'), 'prompts/hi.prompt.yml');
    assert.equal(lockKey('/repo/a/b.md', '/repo'), 'a/b.md');
    assert.throws(() => lockKey('../elsewhere.prompt.yml', '/repo'), /outside the repository/);
  });

  test('loadPromotedPrompt: the snapshot, verified; clear errors otherwise', () => {
    const root = workspace();
    assert.throws(
      () => loadPromotedPrompt('prompts/hi.prompt.yml', 'production', { cwd: root }),
      /Nothing is promoted to channel 'production' for prompts\/hi\.prompt\.yml \(there is no \.autostack\/prompts\.lock\.yml\)/,
    );
    const hash = contentHash(PROMPT);
    const snapshot = snapshotPath(hash, 'prompts/hi.prompt.yml');
    put(root, LOCK_FILE, serializeLock(sampleLock(hash, snapshot)));
    assert.throws(
      () => loadPromotedPrompt('prompts/hi.prompt.yml', 'production', { cwd: root }),
      /names snapshot .* which is missing/,
    );
    // Trailing spaces and CRLF do not change a prompt's identity (see normalizeForHash).
    put(root, snapshot, PROMPT.replace(/\n/g, '  \r\n'));
    const { definition, entry } = loadPromotedPrompt('prompts/hi.prompt.yml', 'production', { cwd: root });
    assert.equal(definition.file, 'prompts/hi.prompt.yml');
    assert.equal(definition.contentHash, hash);
    assert.equal(entry.commit, 'abc123');
    put(root, snapshot, PROMPT.replace('hi', 'bye'));
    assert.throws(
      () => loadPromotedPrompt('prompts/hi.prompt.yml', 'production', { cwd: root }),
      /hash mismatch for prompts\/hi\.prompt\.yml on channel 'production'/,
    );
    assert.throws(
      () => loadPromotedPrompt('prompts/hi.prompt.yml', 'staging', { cwd: root }),
      /Nothing is promoted to channel 'staging' .*\(it has: production\)/,
    );
  });
});

describe('unifiedDiff', () => {
  test('hunks with context, like diff -u', async () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm'].join('\n');
    const after = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n'].join('\n');
    assert.equal(
      await unifiedDiff(before, after, { from: 'old', to: 'new' }),
      [
        '--- old',
        '+++ new',
        '@@ -1,7 +1,7 @@',
        ' a',
        ' b',
        ' c',
        '-d',
        '+D',
        ' e',
        ' f',
        ' g',
        '@@ -10,3 +10,4 @@',
        ' j',
        ' l',
        ' m',
        '+n',
        '',
      ].join('\n'),
    );
    // Six unchanged lines or fewer between changes: one hunk, as diff -u does.
    assert.match(
      await unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', 'X\n2\n3\n4\n5\n6\n7\nY\n', { from: 'a', to: 'b' }),
      /^--- a\n\+\+\+ b\n@@ -1,8 \+1,8 @@\n-1\n\+X\n/,
    );
    assert.equal(await unifiedDiff('same\n', 'same\n', { from: 'a', to: 'b' }), '');
    assert.equal(
      await unifiedDiff('', 'x\ny\n', { from: '/dev/null', to: 'b' }),
      '--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    );
  });
});
