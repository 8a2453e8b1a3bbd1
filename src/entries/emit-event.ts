import { runAction } from '../actions/run-action.js';
import { emitEventMain } from '../actions/emit-event.js';

await runAction(emitEventMain);
