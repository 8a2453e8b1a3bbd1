import { runAction } from '../actions/run-action.js';
import { promotePromptMain } from '../actions/promote-prompt.js';

await runAction(promotePromptMain);
