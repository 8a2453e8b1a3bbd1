import { InputError } from './errors.js';

/**
 * Action inputs arrive as strings (empty when unset). Each action declares one table keyed by
 * input name; these helpers turn the strings into typed values with messages that say what would
 * be valid, so a bad input fails on one line that names it. No zod here on purpose: building zod
 * at load was most of every action's start (issue 15), and a string in, a value or one message
 * out needs none of it. The chainable part (`.superRefine`, `.refine`, `.default`) mirrors zod's,
 * so the tables read the same.
 */
type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** What a `.superRefine` check may report, as in zod (`ctx.addIssue({ code: 'custom', message })`). */
export interface InputIssues {
  addIssue(issue: { code: 'custom'; message: string }): void;
}

/** One input: the raw string (undefined when unset or blank) to a typed value or one message. */
export class InputSchema<T> {
  constructor(
    readonly parse: (raw: string | undefined) => Parsed<T>,
    /** Boolean inputs, so the CLI can offer `--flag` / `--no-flag` for them (see cli/flags.ts). */
    readonly isBoolean = false,
  ) {}

  /** A further check on the parsed value; the first issue it adds is the input's error. */
  superRefine(check: (value: T, issues: InputIssues) => void): InputSchema<T> {
    return new InputSchema((raw) => {
      const parsed = this.parse(raw);
      if (!parsed.ok) return parsed;
      let message: string | undefined;
      check(parsed.value, { addIssue: (issue) => (message ??= issue.message) });
      return message === undefined ? parsed : { ok: false, message };
    }, this.isBoolean);
  }

  refine(test: (value: T) => boolean, options: { message: string }): InputSchema<T> {
    return this.superRefine((value, issues) => {
      if (!test(value)) issues.addIssue({ code: 'custom', message: options.message });
    });
  }

  /** The value when the input is unset (the checks above do not see it). */
  default(value: Exclude<T, undefined>): InputSchema<Exclude<T, undefined>> {
    return new InputSchema(
      (raw) => (raw === undefined ? { ok: true, value } : (this.parse(raw) as Parsed<Exclude<T, undefined>>)),
      this.isBoolean,
    );
  }
}

/** Any input of a table, whatever it parses to. */
export type InputShape = Record<string, InputSchema<unknown>>;

/** The typed object `readInputs` returns for a table. */
export type InputsOf<S extends InputShape> = { [K in keyof S]: S[K] extends InputSchema<infer T> ? T : never };

/**
 * Control characters (C0, DEL, C1), Unicode line and paragraph separators: what turns one value
 * into two lines of a log, or a `::workflow-command::` out of a model id. CloudEvents forbids the
 * same set in its String attributes.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const TRUE_WORDS = new Set(['true', 'True', 'TRUE', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', 'no', 'off', '0']);

export function isBooleanInput(schema: InputSchema<unknown>): boolean {
  return schema.isBoolean;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
/** An input that takes any string, or nothing (undefined). */
const optionalString = () => new InputSchema<string | undefined>(ok);

function wholeNumber(raw: string, min: number, max: number): number | undefined {
  const value = Number(raw);
  return /^-?\d+$/.test(raw) && value >= min && value <= max ? value : undefined;
}

export const input = {
  text: () => new InputSchema<string>((raw) => (raw === undefined ? fail('is required') : ok(raw))),
  optionalText: optionalString,
  boolean: (defaultValue: boolean) =>
    new InputSchema<boolean>((raw) => {
      if (raw === undefined) return ok(defaultValue);
      if (TRUE_WORDS.has(raw)) return ok(true);
      if (FALSE_WORDS.has(raw)) return ok(false);
      return fail(`must be true or false (got '${raw}')`);
    }, true),
  integer: (options: { min: number; max: number; default?: number }) =>
    new InputSchema<number>((raw) => {
      if (raw === undefined && options.default !== undefined) return ok(options.default);
      const range = `from ${options.min} to ${options.max}`;
      if (raw === undefined || !/^-?\d+$/.test(raw))
        return fail(`must be a whole number ${range} (got '${raw ?? ''}')`);
      const value = wholeNumber(raw, options.min, options.max);
      return value === undefined ? fail(`must be a whole number ${range} (got ${Number(raw)})`) : ok(value);
    }),
  /** A whole number the user may leave out (undefined), e.g. an alias of another input. */
  optionalInteger: (options: { min: number; max: number }) =>
    new InputSchema<number | undefined>((raw) => {
      if (raw === undefined) return ok(undefined);
      const value = wholeNumber(raw, options.min, options.max);
      return value === undefined
        ? fail(`must be a whole number from ${options.min} to ${options.max} (got '${raw}')`)
        : ok(value);
    }),
  number: (options: { min: number; max?: number; default?: number }) =>
    new InputSchema<number | undefined>((raw) => {
      if (raw === undefined) return ok(options.default);
      const value = Number(raw);
      const max = options.max ?? Number.POSITIVE_INFINITY;
      if (raw.trim() !== '' && Number.isFinite(value) && value >= options.min && value <= max) return ok(value);
      const range = options.max === undefined ? `of at least ${options.min}` : `from ${options.min} to ${options.max}`;
      return fail(`must be a number ${range} (got '${raw}')`);
    }),
  oneOf: <const T extends readonly [string, ...string[]]>(choices: T, defaultValue: T[number]) =>
    new InputSchema<T[number]>((raw) => {
      if (raw === undefined) return ok(defaultValue);
      if ((choices as readonly string[]).includes(raw)) return ok(raw);
      return fail(`must be one of ${choices.join(', ')} (got '${raw}')`);
    }),
  /** A short single-line label (run names, step names). */
  label: () =>
    optionalString().refine(
      (value) => value === undefined || (value.length <= 200 && !CONTROL_CHARACTERS.test(value)),
      { message: 'must be one line of at most 200 characters with no control characters' },
    ),
};

/** Shows a rejected value on one line, whatever it holds. */
export function showValue(raw: string, max = 60): string {
  const shown = JSON.stringify(raw.length > max ? `${raw.slice(0, max)}…` : raw);
  return shown;
}

/** An optional input that, when given, must pass `valid`; else `message(shown value)`. */
function checkedText(valid: (value: string) => boolean, message: (shown: string) => string) {
  return optionalString().superRefine((value, issues) => {
    if (value !== undefined && !valid(value)) issues.addIssue({ code: 'custom', message: message(showValue(value)) });
  });
}

/** Model ids as the API and gateways spell them: `claude-sonnet-4-5`, `openai/gpt-4o`, `us.anthropic.claude-…:0`. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;

export const lineInputs = {
  /** One line, no control characters: names, subjects, refs, anything that lands in a log line. */
  oneLine: (max = 200) =>
    checkedText(
      (value) => !CONTROL_CHARACTERS.test(value) && value.length <= max,
      (shown) => `must be one line of at most ${max} characters with no control characters (got ${shown})`,
    ),
  model: () =>
    checkedText(
      (value) => MODEL_ID.test(value),
      (shown) =>
        `must be a model id: letters, digits and . _ : / @ - on one line, e.g. claude-sonnet-4-5 (got ${shown})`,
    ),
  /** An http(s) URL: the base of an API. */
  httpUrl: () =>
    checkedText(
      isHttpUrl,
      (shown) => `must be an http:// or https:// URL, e.g. https://api.anthropic.com (got ${shown})`,
    ),
};

function isHttpUrl(value: string): boolean {
  if (CONTROL_CHARACTERS.test(value) || /\s/.test(value)) return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** How an input is read by its action name: core.getInput on a runner, a flag in the CLI. */
export type InputReader = (name: string) => string | undefined;

/** A domain spec made from inputs, and the secrets among them to mask before anything is printed. */
export interface SpecWithSecrets<S> {
  spec: S;
  secrets: string[];
}

/** Reads every input the table names through `read` (core.getInput, CLI flags, ...); the first bad one throws. */
export function readInputs<S extends InputShape>(shape: S, read: InputReader): InputsOf<S> {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const value = read(name);
    const parsed = schema.parse(value === undefined || value.trim() === '' ? undefined : value.trim());
    if (!parsed.ok) throw new InputError(name, parsed.message);
    values[name] = parsed.value;
  }
  return values as InputsOf<S>;
}
