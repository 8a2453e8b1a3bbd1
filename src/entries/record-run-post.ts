import { runAction } from '../actions/run-action.js';
import { recordRunPost } from '../actions/record-run-post.js';

await runAction(recordRunPost, { cliOnPath: false });
