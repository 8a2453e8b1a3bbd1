import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as core from '@actions/core';
import { errorMessage } from '../shared/errors.js';
import { cliBundlePath } from '../shared/package-paths.js';

/**
 * 12 hex digits naming the bundle's path (64-bit FNV-1a): a folder name, not a secret, so no
 * node:crypto on every action's start for it. Computed in two 32-bit halves: the same digits as
 * BigInt arithmetic (test/property/path-hash.test.ts), which took ~1 ms of every main step in
 * V8's interpreter. The prime is 2^40 + 0x1b3: `hash * prime` is `hash * 0x1b3 + (hash << 40)`.
 */
export function pathHash(text: string): string {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (const byte of Buffer.from(text)) {
    low = (low ^ byte) >>> 0;
    const product = low * 0x1b3; // < 2^41: exact in a double
    high = (high * 0x1b3 + Math.floor(product / 0x1_0000_0000) + ((low << 8) >>> 0)) >>> 0;
    low = product >>> 0;
  }
  return `${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`.slice(0, 12);
}

function holds(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}

/** POSIX single quoting: the path is data, never shell syntax. */
const shQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

function writeExecutable(path: string, text: string): void {
  // Every main step of a job puts the same shim there: one already right is left as it is
  // (write + chmod + rename were 1–4 ms of each start).
  if (holds(path, text)) return;
  // Write then rename: a step running `autostack` while a parallel action rewrites the shim
  // never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o755 });
  chmodSync(temporary, 0o755);
  renameSync(temporary, path);
}

/**
 * Puts an `autostack` command on the job's PATH (GITHUB_PATH) that runs the CLI bundle shipped
 * with this action, at the same ref and with the same Node the runner gave the action — so
 * `run: autostack step --name tests -- npm test` works right after `uses: …/record-run@v1`
 * with no npm install and no network. The shim lives in RUNNER_TEMP (cleaned by the runner)
 * under a folder named by the bundle's path, so two refs of autostack in one job do not
 * overwrite each other; the action that ran last wins, as PATH additions do.
 * Returns the folder, or undefined when there is no CLI bundle to point at. Never throws:
 * a missing shim is a warning, not a failed step.
 */
export function putCliOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const cli = cliBundlePath();
    if (!existsSync(cli)) {
      core.debug(`autostack CLI bundle not found at ${cli}; not adding autostack to PATH`);
      return undefined;
    }
    const directory = join(env.RUNNER_TEMP || tmpdir(), 'autostack-cli', pathHash(cli));
    mkdirSync(directory, { recursive: true });
    writeExecutable(
      join(directory, 'autostack'),
      `#!/bin/sh\n# The autostack CLI shipped with the action (written by autostack's actions).\nexec ${shQuote(process.execPath)} ${shQuote(cli)} "$@"\n`,
    );
    if (process.platform === 'win32')
      writeExecutable(join(directory, 'autostack.cmd'), `@"${process.execPath}" "${cli}" %*\r\n`);
    if (!(env.PATH ?? '').split(delimiter).includes(directory)) core.addPath(directory);
    core.debug(`autostack CLI on PATH: ${directory} → ${cli}`);
    return directory;
  } catch (error) {
    core.warning(
      `autostack: could not put the autostack CLI on PATH (${errorMessage(error)}); run steps can call node on the action's dist/cli/index.js instead.`,
    );
    return undefined;
  }
}
