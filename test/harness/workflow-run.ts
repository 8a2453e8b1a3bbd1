import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionResult } from '../../src/workflow/runner.js';
import { CLI_BUNDLE } from './job.js';

export interface LocalRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result: SessionResult;
  root: string;
}

/**
 * `autostack workflow run ARGS` through the shipped CLI bundle in `root` (as repository
 * octo-org/octo-repo), with only PATH and HOME from this process; returns its result file.
 */
export async function runLocalWorkflow(
  args: string[],
  options: { root: string; env?: Record<string, string> },
): Promise<LocalRun> {
  const { root } = options;
  const resultFile = join(root, 'result.json');
  const child = spawn(
    process.execPath,
    [
      CLI_BUNDLE,
      'workflow',
      'run',
      ...args,
      '--workspace',
      root,
      '--repository',
      'octo-org/octo-repo',
      '--result-file',
      resultFile,
    ],
    {
      cwd: root,
      // TMPDIR too: the runner's session folder goes where the test runner checks for leftovers.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? root,
        TMPDIR: tmpdir(),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.ok(existsSync(resultFile), `no result file; exit ${code}\n${stdout}\n${stderr}`);
  return { code, stdout, stderr, result: JSON.parse(readFileSync(resultFile, 'utf8')) as SessionResult, root };
}
