import { tempDir } from '../harness/temp.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { autostackStepHooks } from '../../src/cli/workflow-hooks.js';
import { type RunnerOptions, type RunRequest, type SessionResult, WorkflowRunner } from '../../src/workflow/runner.js';

/** A throwaway workspace holding the given files (path → text). */
export function workspace(files: Record<string, string>): string {
  const root = tempDir('autostack-wf-test-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export interface Ran {
  result: SessionResult;
  output: string;
  root: string;
}

/** Runs one workflow of a fresh workspace in-process; the console output is captured. */
export async function runIn(
  files: Record<string, string>,
  request: Omit<RunRequest, 'file'> & { file?: string },
  options: RunnerOptions = {},
): Promise<Ran> {
  const root = workspace(files);
  const out = new PassThrough();
  let output = '';
  out.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The hooks the CLI registers for autostack's own actions (record-run's records in the result).
  const runner = new WorkflowRunner({
    workspace: root,
    repository: 'octo-org/octo-repo',
    out,
    quiet: false,
    hooks: autostackStepHooks(),
    ...options,
  });
  const result = await runner.run({ ...request, file: join(root, request.file ?? '.github/workflows/w.yml') });
  return { result, output, root };
}

/** Same, but the run is expected to be refused: returns the error message. */
export async function refusal(
  files: Record<string, string>,
  request: Omit<RunRequest, 'file'> & { file?: string },
  options: RunnerOptions = {},
): Promise<string> {
  try {
    await runIn(files, request, options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the run to be refused');
}

export function job(result: SessionResult, id: string, run = 0) {
  const found = result.runs[run]?.jobs.find((candidate) => candidate.id === id);
  if (!found)
    throw new Error(`no job ${id} in run ${run}: ${JSON.stringify(result.runs.map((r) => r.jobs.map((j) => j.id)))}`);
  return found;
}

export function step(result: SessionResult, jobId: string, stepId: string, run = 0) {
  const found = job(result, jobId, run).steps.find((candidate) => candidate.id === stepId);
  if (!found) throw new Error(`no step ${stepId} in job ${jobId}`);
  return found;
}
