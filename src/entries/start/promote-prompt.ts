import { runAction } from '../../actions/run-action.js';
import { promotePromptMain } from '../../actions/promote-prompt.js';

/** The promote-prompt action: all that src/entries/promote-prompt.ts loads, in one import() (why: docs/development.md). */
export const start = (): Promise<void> => runAction(promotePromptMain);
