import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The autostack package this code runs from: the folder holding actions/record-run/action.yml,
 * found by walking up from the running file (dist/<bundle>/index.js, or src/<area>/*.ts under tsx).
 * On a runner that is the action's checkout at the ref the workflow pinned (…/_actions/your-org/autostack/v1).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    if (existsSync(join(dir, 'actions', 'record-run', 'action.yml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the autostack package root (actions/record-run/action.yml) above the running bundle');
}

/**
 * The CLI bundle shipped beside the actions. The one place that knows the dist layout: the
 * PATH shim, the local runner and the demo all ask here.
 */
export function cliBundlePath(root: string = packageRoot()): string {
  return join(root, 'dist', 'cli', 'index.js');
}
