import { actionsIo } from '../io/actions-io.js';
import { runnerPorts } from '../ports/runner.js';
import { finishRun } from '../runs/finish-run.js';
import { RUN_STATE } from '../runs/start-run.js';
import { readActionInput, recordRunOptions } from './record-run.js';

export async function recordRunPost(): Promise<void> {
  // A main step that failed on its inputs started no run and already reported why.
  if (!actionsIo.getState(RUN_STATE.runId)) return;
  const options = recordRunOptions(readActionInput);
  if (options.githubToken) actionsIo.setSecret(options.githubToken);
  await finishRun(options, actionsIo, runnerPorts());
}
