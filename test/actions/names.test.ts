import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { emitEventInputs, emitEventWaitInputs } from '../../src/actions/emit-event-inputs.js';
import { ACTION_OUTPUTS, type ActionName } from '../../src/actions/outputs.js';
import { promotePromptInputs } from '../../src/actions/promote-prompt-inputs.js';
import { runPromptInputs } from '../../src/actions/run-prompt-inputs.js';
import { recordRunInputs } from '../../src/actions/record-run.js';
import { REPO_ROOT } from '../harness/job.js';

const INPUTS: Record<ActionName, Record<string, unknown>> = {
  'run-prompt': runPromptInputs,
  'emit-event': { ...emitEventInputs, ...emitEventWaitInputs },
  'record-run': recordRunInputs,
  'promote-prompt': promotePromptInputs,
};

for (const action of Object.keys(ACTION_OUTPUTS) as ActionName[]) {
  test(`${action}: action.yml declares exactly the inputs and outputs the code defines`, () => {
    const manifest = parseYaml(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(manifest.inputs ?? {}).sort(), Object.keys(INPUTS[action]).sort(), `${action} inputs`);
    assert.deepEqual(Object.keys(manifest.outputs ?? {}), [...ACTION_OUTPUTS[action]], `${action} outputs, in order`);
  });
}
