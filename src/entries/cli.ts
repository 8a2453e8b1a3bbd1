#!/usr/bin/env node
import { enableCompileCache } from '../shared/compile-cache.js';

enableCompileCache();
// Loaded after the cache is on, so its chunks are compiled from (and into) the cache. `emit` loads
// only its own command (cli/emit-program.ts): the memory bound of `emit --batch`, issue 15.
const { main } =
  process.argv[2] === 'emit' ? await import('../cli/emit-program.js') : await import('../cli/program.js');
await main(process.argv);
