// autostack's own actions, as the local workflow runner should treat them: record-run steps
// point the session summary at the run record they wrote; with --record-prompts, run-prompt
// steps run as `autostack run-prompt --record` so their answers are recorded for replay.
import { join, resolve } from 'node:path';
import { cliBundlePath } from '../shared/package-paths.js';
import type { StepHook } from '../workflow/hooks.js';

const RECORD_RUN = /record-run$/;
const RUN_PROMPT = /run-prompt$|^autostack run-prompt$/;

/** Inputs that have no flag meaning under --record (the cache and the provider are chosen by --record). */
function recordFlags(inputs: Record<string, string>): string[] {
  const flags: string[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    if (value === '' || name === 'cache' || name === 'provider') continue;
    flags.push(`--${name}`, value);
  }
  return flags;
}

export function autostackStepHooks(options: { recordPrompts?: boolean } = {}): StepHook[] {
  const recordRun: StepHook = {
    matches: (action) => RECORD_RUN.test(action.label),
    after: ({ inputs, outputs, workspace, addRecord }) => {
      const runId = outputs['run-id'];
      if (!runId) return;
      const directory = resolve(workspace, inputs.directory || '.autostack/runs');
      addRecord({ runId, path: join(directory, `${runId}.json`) });
    },
  };
  const recordPrompts: StepHook = {
    matches: (action) => RUN_PROMPT.test(action.label),
    command: ({ inputs, nodePath }) => ({
      command: nodePath,
      args: [cliBundlePath(), 'run-prompt', '--record', '--print', 'outputs', ...recordFlags(inputs)],
      detail: 'recording',
      outputsOnStdout: true,
    }),
  };
  return options.recordPrompts ? [recordRun, recordPrompts] : [recordRun];
}
