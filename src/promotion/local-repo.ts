import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The workspace side of promote-prompt (mode local, and the candidate's own commit): files and
 * git, read and written here so promote.ts holds only the decisions.
 */

/** Where the lock and snapshots are read: the workspace (local mode) or a branch on GitHub. */
export interface LockView {
  describe: string;
  read(path: string): Promise<string | undefined>;
  /** A file at a git ref (commit, branch, tag), with the commit it resolved to. */
  readAt(path: string, ref: string): Promise<{ text: string; commit: string } | undefined>;
}

export function localView(workspace: string): LockView {
  return {
    describe: 'the workspace',
    read: async (path) => {
      try {
        return readFileSync(resolve(workspace, path), 'utf8');
      } catch {
        return undefined;
      }
    },
    readAt: async (path, ref) => {
      if (ref.startsWith('-')) return undefined;
      try {
        const git = (args: string[]) =>
          execFileSync('git', args, {
            cwd: workspace,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
            maxBuffer: 16 * 1024 * 1024,
          });
        const commit = git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`]).trim();
        return { text: git(['show', `${commit}:${path}`]), commit };
      } catch {
        return undefined;
      }
    },
  };
}

export function gitHead(workspace: string): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: workspace,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** True when git (if this is a git checkout) would ignore any of the paths. */
export function gitIgnores(workspace: string, paths: string[]): boolean {
  // Exit 0 when at least one path is ignored, 1 when none is, 128 outside a git checkout.
  try {
    execFileSync('git', ['check-ignore', '--', ...paths], { cwd: workspace, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function writeLocalFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
