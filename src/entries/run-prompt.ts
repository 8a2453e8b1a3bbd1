import { runAction } from '../actions/run-action.js';
import { runPromptMain } from '../actions/run-prompt.js';

await runAction(runPromptMain);
