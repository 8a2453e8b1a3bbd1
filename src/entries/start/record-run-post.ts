import { runAction } from '../../actions/run-action.js';
import { recordRunPost } from '../../actions/record-run-post.js';

/** The record-run post step: all that src/entries/record-run-post.ts loads, in one import() (why: docs/development.md). */
export const start = (): Promise<void> => runAction(recordRunPost, { cliOnPath: false });
