import { tempDir } from '../harness/temp.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRecordings } from '../../src/ai/provider.js';
import { UserError } from '../../src/shared/errors.js';

test('a recorded message without what replay reads is refused, naming the file and the field', async () => {
  const directory = tempDir('autostack-recordings-');
  try {
    const path = join(directory, 'triage.recordings.json');
    const message = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5-5',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'hi' }],
    };
    const recording = { recordedAt: '2026-01-01T00:00:00Z', model: 'claude-sonnet-5-5', prompt: 'hello', message };
    writeFileSync(path, JSON.stringify({ format: 'autostack.recordings/v1', recordings: { 'sha256:ab': recording } }));
    await assert.rejects(
      readRecordings(path),
      (error: unknown) =>
        error instanceof UserError &&
        error.file === path &&
        /not an autostack recordings file: recordings\.sha256:ab\.message\.usage /.test(error.message),
    );

    const complete = {
      ...recording,
      message: { ...message, usage: { input_tokens: 3, output_tokens: 1 }, extra: 'kept' },
    };
    writeFileSync(path, JSON.stringify({ format: 'autostack.recordings/v1', recordings: { 'sha256:ab': complete } }));
    const file = await readRecordings(path);
    assert.deepEqual(
      file.recordings['sha256:ab']?.message,
      complete.message,
      'fields replay does not read are kept as recorded',
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
