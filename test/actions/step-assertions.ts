import assert from 'node:assert/strict';
import { visibleLog, type StepResult } from '../harness/job.js';

/** Asserts the step succeeded; on failure the message carries its whole log. */
export function ok(result: StepResult): void {
  assert.equal(result.exitCode, 0, `step failed:\n${result.stdout}\n${result.stderr}`);
}

/** Asserts the step failed the way a user error should (exit 1, no stack trace); returns its ::error:: lines. */
export function failed(result: StepResult): string {
  assert.equal(result.exitCode, 1, `step should have failed:\n${result.stdout}\n${result.stderr}`);
  assert.doesNotMatch(visibleLog(result), /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace');
  return result.errors.join('\n');
}
