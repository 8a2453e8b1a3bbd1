import { actionsIo } from '../io/actions-io.js';
import { finishRun } from '../runs/finish-run.js';
import { readActionInput, recordRunOptions } from './record-run.js';

export async function recordRunPost(): Promise<void> {
  const options = recordRunOptions(readActionInput);
  if (options.githubToken) actionsIo.setSecret(options.githubToken);
  await finishRun(options, actionsIo);
}
