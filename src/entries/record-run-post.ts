import { enableCompileCache } from '../shared/compile-cache.js';

enableCompileCache();
// Loaded after the cache is on, so its chunks are compiled from (and into) the cache.
const [{ runAction }, { recordRunPost }] = await Promise.all([
  import('../actions/run-action.js'),
  import('../actions/record-run-post.js'),
]);
await runAction(recordRunPost, { cliOnPath: false });
