import { runAction } from '../../actions/run-action.js';
import { runPromptMain } from '../../actions/run-prompt.js';

/** The run-prompt action: all that src/entries/run-prompt.ts loads, in one import() (why: docs/development.md). */
export const start = (): Promise<void> => runAction(runPromptMain);
