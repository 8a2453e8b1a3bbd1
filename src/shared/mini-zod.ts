import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod at the boundary, on the start path: `zod/mini` is zod's tree-shakable build (functions, not
 * methods), so a bundle carries the few schema kinds it uses (~15 KB) instead of all of classic
 * zod (~190 KB, ~45 ms to evaluate on every action start; issue 15). The schemas and their
 * messages are zod's own; mini installs no message locale, so this gives it zod's English one.
 * Import it as `import * as z from '../shared/mini-zod.js'`. Classic `zod` stays where a path is not a start path (prompt files, tools, routing).
 */
config(en());

// A star re-export, not the `z` namespace object: esbuild keeps only what the importers use.
export * from 'zod/mini';
