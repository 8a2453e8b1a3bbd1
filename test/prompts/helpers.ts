import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/shared/errors.js';

/** Fixture prompts are loaded with this cwd, so their display paths read prompts/<name>. */
export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

/** A fresh directory holding the given files, for cases too small to deserve a fixture. */
export function scratch(files: Record<string, string>): string {
  const directory = tempDir('autostack-prompts-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

/** Asserts a UserError at exactly file:line whose message matches. */
export function assertUserError(
  body: () => unknown,
  expected: { file?: string; line?: number; message: string | RegExp },
): UserError {
  let caught: unknown;
  try {
    body();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  if (typeof expected.message === 'string') assert.equal(caught.message, expected.message);
  else assert.match(caught.message, expected.message);
  assert.equal(caught.file, expected.file);
  assert.equal(caught.line, expected.line);
  return caught;
}
