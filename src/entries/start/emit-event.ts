import { runAction } from '../../actions/run-action.js';
import { emitEventMain } from '../../actions/emit-event.js';

/** The emit-event action: all that src/entries/emit-event.ts loads, in one import() (why: docs/development.md). */
export const start = (): Promise<void> => runAction(emitEventMain);
