import type { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { fullYaml } from './engine.js';
import { readLightYaml } from './light-yaml.js';
import type { DataPath, YamlParse, YamlProblem, YamlTree } from './yaml-tree.js';

/**
 * Everything that turns "where in the data" into "which line of which file": validation works
 * on plain values, and users need a file:line to fix.
 */

export type { DataPath, YamlProblem };

export interface Problem {
  line: number | undefined;
  text: string;
}

/**
 * A parsed YAML (or JSON, which YAML 1.2 reads too) text that can map a data path to a line.
 * Text in the subset prompt files are written in is read by light-yaml.ts; anything else, and
 * every error, by the `yaml` library (yaml-full.ts), which engine.ts loads when it is needed.
 */
export class YamlSource implements YamlTree {
  private constructor(private readonly tree: YamlTree) {}

  /**
   * `firstLine` is the file line the text starts on, for YAML embedded in something else
   * (markdown front matter starts on line 2).
   */
  static parse(text: string, firstLine = 1): { source: YamlSource } | { error: YamlProblem } {
    const parsed: YamlParse = readLightYaml(text, firstLine) ?? fullYaml().parseFullYaml(text, firstLine);
    return 'error' in parsed ? parsed : { source: new YamlSource(parsed.tree) };
  }

  toJS(): unknown {
    return this.tree.toJS();
  }

  lineOf(path: DataPath): number {
    return this.tree.lineOf(path);
  }

  contentLineOf(path: DataPath): number | undefined {
    return this.tree.contentLineOf(path);
  }
}

/**
 * JSON.parse with the failure turned into a line of `text` (when V8 gives a position) and a
 * message without V8's habit of quoting the whole input back.
 */
export function parseJson(text: string): { value: unknown } | { error: { line: number | undefined; message: string } } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const position = jsonErrorPosition(text, raw);
    const line = position === undefined ? undefined : 1 + (text.slice(0, position).match(/\n/g)?.length ?? 0);
    const message = raw
      .replace(/,\s*(?:\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/ (?:in JSON )?at position \d+$/, '')
      .replace(/\n/g, '\\n');
    return { error: { line, message } };
  }
}

/**
 * V8 says "at position N" for most errors, but for an unexpected token it quotes ten
 * characters either side instead ("...xt": tru\n}..."). Recover the offset from that excerpt,
 * and trust it only if the character there is the token V8 named.
 */
function jsonErrorPosition(text: string, message: string): number | undefined {
  const stated = /at position (\d+)/.exec(message)?.[1];
  if (stated !== undefined) return Number(stated);
  const quoted = /^Unexpected token '(.)', \.\.\."(.*?)"(?:\.\.\.)? is not valid JSON$/s.exec(message);
  const token = quoted?.[1];
  const excerpt = quoted?.[2];
  if (token === undefined || excerpt === undefined) return undefined;
  const start = text.indexOf(excerpt);
  if (start === -1 || text.indexOf(excerpt, start + 1) !== -1) return undefined;
  const position = start + 10;
  return text[position] === token ? position : undefined;
}

/** "file:line: ", "file: " or "" — the prefix every located message starts with. */
export function at(file: string | undefined, line: number | undefined): string {
  if (file === undefined) return line === undefined ? '' : `line ${line}: `;
  return line === undefined ? `${file}: ` : `${file}:${line}: `;
}

/** One UserError for one or more problems: located at the first, the rest listed below it. */
export function problemsError(file: string | undefined, problems: readonly Problem[]): UserError {
  const shown = problems.slice(0, 10);
  const first = shown[0] ?? { line: undefined, text: 'is invalid' };
  const rest = shown.slice(1).map((problem) => `\n  ${at(file, problem.line)}${problem.text}`);
  const more = problems.length > shown.length ? `\n  (and ${problems.length - shown.length} more)` : '';
  return new UserError(`${at(file, first.line)}${first.text}${rest.join('')}${more}`, { file, line: first.line });
}

/** messages[1].role, jsonSchema.schema, testData[0]["issue body"] */
export function pathString(path: DataPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment))) text += `${text ? '.' : ''}${String(segment)}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** A short, safe rendering of a user's value for "(got ...)". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const short = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `'${short.replace(/\n/g, '\\n')}'`;
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

export function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment as string];
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/**
 * Zod's own messages name zod's types ("expected record, received number"); users wrote YAML,
 * so say it in YAML words, with the path and the value they gave.
 */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const got = valueAt(data, issue.path);
  const gotText = `(got ${describeValue(got)})`;
  let problem: string;
  switch (issue.code) {
    case 'invalid_type':
      problem =
        got === undefined ? 'is required' : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected} ${gotText}`;
      break;
    case 'invalid_value': {
      const values = issue.values.map(String).join(', ');
      if (got === undefined) problem = `is required (one of ${values})`;
      else problem = issue.values.length === 1 ? `must be ${values} ${gotText}` : `must be one of ${values} ${gotText}`;
      break;
    }
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'array') problem = `must have at least ${minimum} ${minimum === 1 ? 'entry' : 'entries'}`;
      else if (issue.origin === 'string')
        problem = minimum <= 1 ? 'must not be empty' : `must be at least ${minimum} characters long`;
      else problem = `must be ${issue.inclusive ? 'at least' : 'greater than'} ${minimum} ${gotText}`;
      break;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'array') problem = `must have at most ${maximum} entries`;
      else if (issue.origin === 'string') problem = `must be at most ${maximum} characters long`;
      else problem = `must be ${issue.inclusive ? 'at most' : 'less than'} ${maximum} ${gotText}`;
      break;
    }
    case 'unrecognized_keys':
      problem = `has unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((key) => `'${key}'`).join(', ')}`;
      break;
    default:
      problem = issue.message;
  }
  const where = pathString(issue.path);
  return where ? `${where} ${problem}` : problem;
}

/** Turns a set of zod issues into located problems, in file order. */
export function issueProblems(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  lineOf: (path: DataPath) => number | undefined,
): Problem[] {
  return issues
    .map((issue) => ({ line: lineOf(issue.path), text: describeIssue(issue, data) }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Unknown keys are warned about, not rejected, because GitHub keeps adding fields to these files. */
export function unknownKeys(
  data: Record<string, unknown>,
  known: readonly string[],
  path: DataPath,
  lineOf: (path: DataPath) => number | undefined,
): Problem[] {
  const where = pathString(path);
  return Object.keys(data)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const guess = closest(key, known);
      const hint = guess ? ` — did you mean '${guess}'?` : ` (known: ${known.join(', ')})`;
      return {
        line: lineOf([...path, key]),
        text: `unknown ${where ? `${where} ` : ''}field '${key}' is ignored${hint}`,
      };
    });
}

/** The known word within edit distance 2 of a typo, if there is exactly one best. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
