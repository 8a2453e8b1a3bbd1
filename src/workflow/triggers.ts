import type { EventsConfig } from '@actions/workflow-parser/model/workflow-template';
import type { Json } from './expressions.js';

export interface TriggerMatch {
  matched: boolean;
  /** Why it did not match, or what was not checked. */
  reason?: string;
  notes: string[];
}

/** GitHub's filter pattern syntax: * (not /), ** (anything), ?, +, [], leading ! negates. */
export function filterPatternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] ?? '';
    if (char === '*') {
      if (pattern[index + 1] === '*') {
        source += '.*';
        index++;
      } else source += '[^/]*';
    } else if (char === '?' || char === '+') {
      source += char;
    } else if (char === '[') {
      const end = pattern.indexOf(']', index);
      if (end < 0) source += '\\[';
      else {
        source += pattern.slice(index, end + 1);
        index = end;
      }
    } else source += char.replace(/[.^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Applies an include list (with `!` negations, last match wins) or an ignore list. */
function passesFilter(value: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include) {
    let matched = false;
    for (const pattern of include) {
      if (pattern.startsWith('!')) {
        if (filterPatternToRegExp(pattern.slice(1)).test(value)) matched = false;
      } else if (filterPatternToRegExp(pattern).test(value)) matched = true;
    }
    return matched;
  }
  if (ignore) return !ignore.some((pattern) => filterPatternToRegExp(pattern).test(value));
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
