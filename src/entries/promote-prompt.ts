import { enableCompileCache } from '../shared/compile-cache.js';

enableCompileCache();
// Loaded after the cache is on, so its chunks are compiled from (and into) the cache. One import()
// for the whole start path: each import() target is a file of its own in dist/.
const { start } = await import('./start/promote-prompt.js');
await start();
