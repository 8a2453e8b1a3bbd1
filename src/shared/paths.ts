import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from './errors.js';

/**
 * Confinement of the files an input names. Read or written, a path must stay inside the
 * workspace once symlinks and `..` are resolved — so `recordings: /etc/passwd` or a symlink
 * planted in a pull request cannot make a step read or overwrite what is not the repository's.
 * Directories named in AUTOSTACK_ALLOW_PATHS (separated like PATH) are the explicit opt-in for
 * anything else; RUNNER_TEMP is always allowed, as the runner gives it to the job.
 */
export const ALLOW_PATHS_ENV = 'AUTOSTACK_ALLOW_PATHS';

/** The API refuses requests over 32 MB; a file near that is refused before a request is built. */
export const MAX_INPUT_FILE_BYTES = 30 * 1024 * 1024;

/**
 * One realpath(3) call, where Node's realpathSync walks the path in JavaScript with an lstat per
 * component (0.3-1 ms of a cold start for the few paths a step checks). Windows keeps Node's walk:
 * libuv's native realpath answers differently there for subst and network drives.
 */
const realpath = process.platform === 'win32' ? realpathSync : realpathSync.native;

function realOrResolved(path: string): string {
  try {
    return realpath(path);
  } catch {
    return resolve(path);
  }
}

/** realpath of the deepest existing ancestor, with the rest appended: where a write would land. */
function realTarget(path: string): string {
  try {
    return realpath(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return join(realTarget(parent), basename(path));
  }
}

function roots(workspace: string, env: NodeJS.ProcessEnv): string[] {
  const extra = (env[ALLOW_PATHS_ENV] ?? '').split(delimiter).filter(Boolean);
  return [workspace, ...(env.RUNNER_TEMP ? [env.RUNNER_TEMP] : []), ...extra];
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function confine(input: string, given: string, target: string, workspace: string, env: NodeJS.ProcessEnv): void {
  // Resolved one at a time: a path in the workspace (the usual case) resolves no other root.
  if (roots(workspace, env).some((root) => inside(realOrResolved(root), target))) return;
  throw new InputError(
    input,
    `names ${given}, which resolves outside the workspace (${target}); name a file inside the workspace, or list its directory in ${ALLOW_PATHS_ENV}`,
  );
}

/**
 * Checks a file an input names for reading: inside the workspace, a regular text file, not over
 * the size limit. Returns the absolute path. Missing files are left to the caller's message.
 */
export function confinedReadPath(
  input: string,
  given: string,
  workspace: string,
  options: { env?: NodeJS.ProcessEnv; maxBytes?: number; mustExist?: boolean } = {},
): string {
  const env = options.env ?? process.env;
  const absolute = isAbsolute(given) ? given : resolve(workspace, given);
  let real: string;
  try {
    real = realpath(absolute);
  } catch {
    if (options.mustExist === false) {
      confine(input, given, realTarget(absolute), workspace, env);
      return absolute;
    }
    throw new InputError(input, `names a file that does not exist: ${given}`);
  }
  confine(input, given, real, workspace, env);
  const stat = statSync(real);
  if (stat.isDirectory()) throw new InputError(input, `names a directory (${given}); name a file`);
  if (!stat.isFile()) throw new InputError(input, `names ${given}, which is not a regular file`);
  const max = options.maxBytes ?? MAX_INPUT_FILE_BYTES;
  if (stat.size > max)
    throw new InputError(
      input,
      `names ${given}, which is ${(stat.size / 1024 / 1024).toFixed(1)} MB; files over ${(max / 1024 / 1024).toFixed(0)} MB are refused (the API's request limit is 32 MB)`,
    );
  if (looksBinary(real)) throw new InputError(input, `names ${given}, which is a binary file; name a UTF-8 text file`);
  return absolute;
}

/** Checks a path an input names for writing: it must land inside the workspace. */
export function confinedWritePath(
  input: string,
  given: string,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const absolute = isAbsolute(given) ? given : resolve(workspace, given);
  const target = realTarget(absolute);
  confine(input, given, target, workspace, env);
  try {
    if (statSync(target).isDirectory()) throw new InputError(input, `names a directory (${given}); name a file`);
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
  return absolute;
}

/** A NUL byte in the first 8 KB: what git and grep call binary. */
function looksBinary(path: string): boolean {
  const buffer = Buffer.alloc(8192);
  const fd = openSync(path, 'r');
  try {
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).includes(0);
  } finally {
    closeSync(fd);
  }
}
