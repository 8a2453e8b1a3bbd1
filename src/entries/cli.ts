#!/usr/bin/env node
import { enableCompileCache } from '../shared/compile-cache.js';

enableCompileCache();
// Loaded after the cache is on, so its chunks are compiled from (and into) the cache.
const { main } = await import('../cli/program.js');
await main(process.argv);
