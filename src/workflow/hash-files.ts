import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { Minimatch } from 'minimatch';
import { errorMessage, UserError } from '../shared/errors.js';

/**
 * hashFiles() as GitHub's runner computes it: the runner runs @actions/glob's `hashFiles` in a
 * child node process whose working directory is GITHUB_WORKSPACE, without following symbolic links.
 * The expression evaluator is synchronous, so this walks the tree synchronously with the matcher
 * @actions/glob uses (minimatch, with its options) and @actions/glob's rules: patterns one per line
 * (`#` comments), relative to the workspace, leading `!` excludes (the last matching pattern wins),
 * a trailing `/` matches directories only, a matched directory brings everything under it, `.`
 * files and `node_modules` are not skipped, and files are hashed in @actions/glob's walk order (each
 * directory's entries sorted by name). Files outside the workspace are ignored.
 * test/workflow/hash-files.test.ts checks the result against @actions/glob's own hashFiles.
 */
const MINIMATCH_OPTIONS = { dot: true, nobrace: true, nocomment: true, noext: true, nonegate: true } as const;

const MATCH_DIRECTORY = 1;
const MATCH_FILE = 2;

interface Pattern {
  negate: boolean;
  /** A trailing `/`: directories only. */
  directoryOnly: boolean;
  /** Ends in `**` as written (not the `/**` added for descendants). */
  globstarLast: boolean;
  matcher: Minimatch;
  /** The literal path before the first glob segment: where the walk starts. */
  searchPath: string;
}

/** @actions/glob's `[*]`-style escape, so a workspace path is matched literally. */
function globEscape(path: string): string {
  return path
    .replace(/\\/g, '\\\\')
    .replace(/(\[)(?=[^/]+\])/g, '[[]')
    .replace(/\?/g, '[?]')
    .replace(/\*/g, '[*]');
}

/** A segment's literal text, or '' when it holds a glob (`\x` escapes and one-character sets are literal). */
function literal(segment: string): string {
  let text = '';
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index] as string;
    if (char === '\\' && index + 1 < segment.length) text += segment[++index];
    else if (char === '*' || char === '?') return '';
    else if (char === '[' && segment.indexOf(']', index + 1) > index + 1) {
      const end = segment.indexOf(']', index + 1);
      const set = segment.slice(index + 1, end).replace(/\\(.)/g, '$1');
      if (set.length > 1) return '';
      text += set;
      index = end;
    } else text += char;
  }
  return text;
}

function makePattern(negate: boolean, pattern: string, descendants: boolean): Pattern {
  const segments = pattern.split('/');
  const searchSegments: string[] = [];
  for (const segment of segments) {
    const text = literal(segment);
    if (!text && searchSegments.length > 0) break;
    searchSegments.push(text);
  }
  return {
    negate,
    directoryOnly: !descendants && pattern.endsWith('/') && pattern !== '/',
    globstarLast: !descendants && segments.at(-1) === '**',
    matcher: new Minimatch(pattern.length > 1 ? pattern.replace(/\/+$/, '') : pattern, MINIMATCH_OPTIONS),
    searchPath: searchSegments.join('/') || '/',
  };
}

function parsePatterns(patterns: string[], workspace: string): Pattern[] {
  const parsed: Pattern[] = [];
  for (const line of patterns.join('\n').split('\n')) {
    let pattern = line.trim();
    if (!pattern || pattern.startsWith('#')) continue;
    let negate = false;
    while (pattern.startsWith('!')) {
      negate = !negate;
      pattern = pattern.slice(1).trim();
    }
    if (pattern.split('/').some((segment, index) => segment === '..' || (segment === '.' && index > 0)))
      throw new UserError(`hashFiles('${line.trim()}'): '.' and '..' segments are not allowed in a pattern`);
    pattern = pattern.replace(/^\.(\/|$)/, '');
    const rooted = isAbsolute(pattern) ? pattern : `${globEscape(workspace)}/${pattern}`;
    const own = makePattern(negate, rooted, false);
    parsed.push(own);
    // A pattern that matches a directory also matches everything under it.
    if (own.directoryOnly || !own.globstarLast)
      parsed.push(makePattern(negate, `${rooted.replace(/\/+$/, '')}/**`, true));
  }
  return parsed;
}

function matchKind(patterns: Pattern[], path: string): number {
  let result = 0;
  for (const pattern of patterns) {
    // minimatch needs `/foo/` to match `/foo/**` with the directory itself.
    const subject = pattern.globstarLast ? `${path}/` : path;
    const kind = pattern.matcher.match(subject)
      ? pattern.directoryOnly
        ? MATCH_DIRECTORY
        : MATCH_DIRECTORY | MATCH_FILE
      : 0;
    result = pattern.negate ? result & ~kind : result | kind;
  }
  return result;
}

function mayMatchBelow(patterns: Pattern[], path: string): boolean {
  const parts = path.split('/');
  return patterns.some(
    (pattern) => !pattern.negate && pattern.matcher.set.some((set) => pattern.matcher.matchOne(parts, set, true)),
  );
}

/**
 * Where the walk starts, as @actions/glob picks it: each include pattern's search path, in pattern
 * order, unless another one is its ancestor. Kept to the workspace: above it only the workspace can
 * hold a hashed file, and elsewhere nothing can.
 */
function searchRoots(patterns: Pattern[], workspace: string): string[] {
  const candidates = new Set<string>();
  for (const { negate, searchPath } of patterns) {
    if (negate) continue;
    const root = searchPath === '/' || workspace.startsWith(`${searchPath}/`) ? workspace : searchPath;
    if (root === workspace || root.startsWith(`${workspace}/`)) candidates.add(root);
  }
  const roots: string[] = [];
  for (const root of candidates) {
    let above = dirname(root);
    let covered = false;
    while (!covered && above !== dirname(above)) {
      covered = candidates.has(above);
      above = dirname(above);
    }
    if (!covered) roots.push(root);
  }
  return roots;
}

/** The files hashFiles() hashes, in the order it hashes them. */
function matchingFiles(root: string, patterns: string[]): string[] {
  const workspace = resolve(root);
  const parsed = parsePatterns(patterns, workspace);
  const files: string[] = [];
  const stack = searchRoots(parsed, workspace).reverse();
  while (stack.length > 0) {
    const path = stack.pop() as string;
    const kind = matchKind(parsed, path);
    if (!kind && !mayMatchBelow(parsed, path)) continue;
    let stats;
    try {
      stats = lstatSync(path); // symbolic links are not followed, as on the runner
    } catch {
      continue;
    }
    if (stats.isDirectory()) {
      const children = readdirSync(path).map((name) => join(path, name));
      stack.push(...children.reverse());
    } else if (kind & MATCH_FILE && path.startsWith(`${workspace}${sep}`)) files.push(path);
  }
  return files;
}

/** sha256 over the sha256 of each matching file; '' when none match (as the runner returns). */
export function hashFiles(workspace: string, patterns: string[]): string {
  const outer = createHash('sha256');
  let count = 0;
  for (const file of matchingFiles(workspace, patterns)) {
    try {
      if (statSync(file).isDirectory()) continue; // a link to a directory, as the runner skips it
      outer.update(createHash('sha256').update(readFileSync(file)).digest());
    } catch (error) {
      throw new UserError(`hashFiles(): cannot read ${file}: ${errorMessage(error)}`);
    }
    count++;
  }
  return count > 0 ? outer.digest('hex') : '';
}
