import { runAction } from '../actions/run-action.js';
import { recordRunMain } from '../actions/record-run.js';

await runAction(recordRunMain);
