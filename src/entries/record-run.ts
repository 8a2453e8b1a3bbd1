import { enableCompileCache } from '../shared/compile-cache.js';

enableCompileCache();
// Loaded after the cache is on, so its chunks are compiled from (and into) the cache.
const [{ runAction }, { recordRunMain }] = await Promise.all([
  import('../actions/run-action.js'),
  import('../actions/record-run.js'),
]);
await runAction(recordRunMain);
