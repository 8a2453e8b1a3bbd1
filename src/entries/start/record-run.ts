import { runAction } from '../../actions/run-action.js';
import { recordRunMain } from '../../actions/record-run.js';

/** The record-run main step: all that src/entries/record-run.ts loads, in one import() (why: docs/development.md). */
export const start = (): Promise<void> => runAction(recordRunMain);
