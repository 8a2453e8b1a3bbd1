import { Minimatch } from 'minimatch';
import type { EventsConfig } from '@actions/workflow-parser/model/workflow-template';
import type { Json } from './expressions.js';

export interface TriggerMatch {
  matched: boolean;
  /** Why it did not match, or what was not checked. */
  reason?: string;
  notes: string[];
}

const MINIMATCH_OPTIONS = { dot: true, nobrace: true, nocomment: true, nonegate: true } as const;

/** Characters minimatch reads as syntax that GitHub's filter patterns take literally. */
const LITERAL = /[(){}|@!+]/;

/**
 * GitHub's filter pattern syntax (branches, tags, paths), matched with minimatch: `*` is anything
 * but `/`, `**` anything (also inside a segment: `**.js`, `releases/**-alpha`), `?` and `+` make the
 * character (or `[]` set) before them optional or repeatable, `\` escapes. Each `?`/`+` becomes
 * minimatch's `?(x)`/`+(x)`, and a `**` inside a segment becomes two patterns, one where it stays in
 * the segment (`*`) and one where it crosses at least one `/` (`*\/**\/*`).
 */
function filterGlobs(pattern: string): string[] {
  let globs = [''];
  let atom = '';
  const flush = () => {
    globs = globs.map((glob) => glob + atom);
    atom = '';
  };
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    const close = char === '[' ? pattern.indexOf(']', index + 2) : -1;
    if ((char === '?' || char === '+') && atom) atom = `${char}(${atom})`;
    else if (char === '\\' && index + 1 < pattern.length) {
      flush();
      atom = `\\${pattern[++index]}`;
    } else if (close > 0) {
      flush();
      atom = pattern.slice(index, close + 1);
      index = close;
    } else if (char === '*' && pattern[index + 1] === '*') {
      flush();
      index++;
      const wholeSegment = (pattern[index - 2] ?? '/') === '/' && (pattern[index + 1] ?? '/') === '/';
      globs = wholeSegment ? globs.map((glob) => `${glob}**`) : globs.flatMap((glob) => [`${glob}*`, `${glob}*/**/*`]);
    } else {
      flush();
      atom = LITERAL.test(char) || char === '?' || char === '[' ? `\\${char}` : char;
    }
  }
  flush();
  return globs;
}

/** One filter pattern (without its leading `!`) as a test. */
export function filterPattern(pattern: string): (value: string) => boolean {
  const matchers = filterGlobs(pattern).map((glob) => new Minimatch(glob, MINIMATCH_OPTIONS));
  return (value) => matchers.some((matcher) => matcher.match(value));
}

/** Applies an include list (with `!` negations, last match wins) or an ignore list. */
function passesFilter(value: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include) {
    let matched = false;
    for (const pattern of include) {
      if (pattern.startsWith('!')) {
        if (filterPattern(pattern.slice(1))(value)) matched = false;
      } else if (filterPattern(pattern)(value)) matched = true;
    }
    return matched;
  }
  if (ignore) return !ignore.some((pattern) => filterPattern(pattern)(value));
  return true;
}

const DEFAULT_TYPES: Record<string, string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened'],
  pull_request_target: ['opened', 'synchronize', 'reopened'],
};

function field(payload: Json, path: string[]): string | undefined {
  let value: Json | undefined = payload;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = value[key];
  }
  return typeof value === 'string' ? value : undefined;
}

/** Does this workflow's `on:` start a run for this event? Filters GitHub applies are applied here too. */
export function matchTrigger(events: EventsConfig, eventName: string, payload: Json): TriggerMatch {
  const notes: string[] = [];
  if (!(eventName in events)) {
    return {
      matched: false,
      reason: `the workflow is not triggered by '${eventName}' (on: ${Object.keys(events).join(', ')})`,
      notes,
    };
  }
  const config = (events[eventName] ?? {}) as Record<string, unknown>;
  const list = (key: string): string[] | undefined =>
    Array.isArray(config[key]) ? (config[key] as unknown[]).map(String) : undefined;
  const types = list('types') ?? DEFAULT_TYPES[eventName];
  if (types) {
    const action = field(payload, ['action']);
    if (action === undefined || !types.includes(action)) {
      return {
        matched: false,
        reason: `${eventName} type '${action ?? '(none)'}' is not one of ${types.join(', ')}`,
        notes,
      };
    }
  }
  if (eventName === 'push' || eventName === 'pull_request' || eventName === 'pull_request_target') {
    const ref = eventName === 'push' ? field(payload, ['ref']) : field(payload, ['pull_request', 'base', 'ref']);
    const branch = ref?.startsWith('refs/heads/')
      ? ref.slice('refs/heads/'.length)
      : ref?.startsWith('refs/tags/')
        ? undefined
        : ref;
    const tag = ref?.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
    const branches = list('branches');
    const branchesIgnore = list('branches-ignore');
    const tags = list('tags');
    const tagsIgnore = list('tags-ignore');
    if (branch !== undefined && (branches || branchesIgnore) && !passesFilter(branch, branches, branchesIgnore)) {
      return { matched: false, reason: `branch '${branch}' is filtered out by on.${eventName}.branches`, notes };
    }
    if (branch !== undefined && !branches && !branchesIgnore && (tags || tagsIgnore)) {
      return { matched: false, reason: `on.${eventName} only lists tags and '${branch}' is a branch`, notes };
    }
    if (tag !== undefined && (tags || tagsIgnore) && !passesFilter(tag, tags, tagsIgnore)) {
      return { matched: false, reason: `tag '${tag}' is filtered out by on.${eventName}.tags`, notes };
    }
    if (list('paths') || list('paths-ignore'))
      notes.push(`on.${eventName}.paths filters are not evaluated locally (there is no diff); treated as matching`);
  }
  if (eventName === 'workflow_run') {
    const workflows = list('workflows');
    const name = field(payload, ['workflow_run', 'name']);
    if (workflows && (name === undefined || !workflows.includes(name))) {
      return {
        matched: false,
        reason: `workflow_run from '${name ?? '(none)'}' is not one of ${workflows.join(', ')}`,
        notes,
      };
    }
  }
  return { matched: true, notes };
}
