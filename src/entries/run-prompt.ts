import { enableCompileCache } from '../shared/compile-cache.js';

enableCompileCache();
// Loaded after the cache is on, so its chunks are compiled from (and into) the cache.
const [{ runAction }, { runPromptMain }] = await Promise.all([
  import('../actions/run-action.js'),
  import('../actions/run-prompt.js'),
]);
await runAction(runPromptMain);
