import { z } from 'zod';
import { InputError } from './errors.js';

/**
 * Action inputs arrive as strings (empty when unset). Each action declares one zod object keyed
 * by input name; these helpers turn the strings into typed values with messages that say what
 * would be valid, so a bad input fails on one line that names it.
 */
export type InputShape = Record<string, z.ZodType>;

/**
 * Control characters (C0, DEL, C1), Unicode line and paragraph separators: what turns one value
 * into two lines of a log, or a `::workflow-command::` out of a model id. CloudEvents forbids the
 * same set in its String attributes.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const TRUE_WORDS = new Set(['true', 'True', 'TRUE', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', 'no', 'off', '0']);

/** Boolean inputs, so the CLI can offer `--flag` / `--no-flag` for them (see cli/flags.ts). */
const booleanInputs = new WeakSet<z.ZodType>();

export function isBooleanInput(schema: z.ZodType): boolean {
  return booleanInputs.has(schema);
}

function markBoolean<T extends z.ZodType>(schema: T): T {
  booleanInputs.add(schema);
  return schema;
}

export const input = {
  text: () => z.string(),
  optionalText: () => z.string().optional(),
  boolean: (defaultValue: boolean) =>
    markBoolean(
      z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (raw === undefined) return defaultValue;
          if (TRUE_WORDS.has(raw)) return true;
          if (FALSE_WORDS.has(raw)) return false;
          ctx.addIssue({ code: 'custom', message: `must be true or false (got '${raw}')` });
          return z.NEVER;
        }),
    ),
  integer: (options: { min: number; max: number; default?: number }) =>
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined && options.default !== undefined) return options.default;
        const range = `from ${options.min} to ${options.max}`;
        if (raw === undefined || !/^-?\d+$/.test(raw)) {
          ctx.addIssue({ code: 'custom', message: `must be a whole number ${range} (got '${raw ?? ''}')` });
          return z.NEVER;
        }
        const value = Number(raw);
        if (value < options.min || value > options.max) {
          ctx.addIssue({ code: 'custom', message: `must be a whole number ${range} (got ${value})` });
          return z.NEVER;
        }
        return value;
      }),
  /** A whole number the user may leave out (undefined), e.g. an alias of another input. */
  optionalInteger: (options: { min: number; max: number }) =>
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        const value = Number(raw);
        if (!/^-?\d+$/.test(raw) || value < options.min || value > options.max) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a whole number from ${options.min} to ${options.max} (got '${raw}')`,
          });
          return z.NEVER;
        }
        return value;
      }),
  number: (options: { min: number; max?: number; default?: number }) =>
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) {
          if (options.default !== undefined) return options.default;
          return undefined;
        }
        const value = Number(raw);
        const max = options.max ?? Number.POSITIVE_INFINITY;
        if (raw.trim() === '' || !Number.isFinite(value) || value < options.min || value > max) {
          const range =
            options.max === undefined ? `of at least ${options.min}` : `from ${options.min} to ${options.max}`;
          ctx.addIssue({ code: 'custom', message: `must be a number ${range} (got '${raw}')` });
          return z.NEVER;
        }
        return value;
      }),
  oneOf: <const T extends readonly [string, ...string[]]>(choices: T, defaultValue: T[number]) =>
    z
      .string()
      .optional()
      .transform((raw, ctx): T[number] => {
        if (raw === undefined) return defaultValue;
        if ((choices as readonly string[]).includes(raw)) return raw;
        ctx.addIssue({ code: 'custom', message: `must be one of ${choices.join(', ')} (got '${raw}')` });
        return z.NEVER;
      }),
  /** A short single-line label (run names, step names). */
  label: () =>
    z
      .string()
      .optional()
      .refine((value) => value === undefined || (value.length <= 200 && !CONTROL_CHARACTERS.test(value)), {
        message: 'must be one line of at most 200 characters with no control characters',
      }),
};

/** Shows a rejected value on one line, whatever it holds. */
export function showValue(raw: string, max = 60): string {
  const shown = JSON.stringify(raw.length > max ? `${raw.slice(0, max)}…` : raw);
  return shown;
}

function oneLineText(max: number) {
  return z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      if (CONTROL_CHARACTERS.test(value) || value.length > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be one line of at most ${max} characters with no control characters (got ${showValue(value)})`,
        });
      }
    });
}

/** Model ids as the API and gateways spell them: `claude-sonnet-4-5`, `openai/gpt-4o`, `us.anthropic.claude-…:0`. */
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;

export const lineInputs = {
  /** One line, no control characters: names, subjects, refs, anything that lands in a log line. */
  oneLine: (max = 200) => oneLineText(max),
  model: () =>
    z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        if (value !== undefined && !MODEL_ID.test(value)) {
          ctx.addIssue({
            code: 'custom',
            message: `must be a model id: letters, digits and . _ : / @ - on one line, e.g. claude-sonnet-4-5 (got ${showValue(value)})`,
          });
        }
      }),
  /** An http(s) URL: the base of an API. */
  httpUrl: () =>
    z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        if (value === undefined) return;
        if (!isHttpUrl(value))
          ctx.addIssue({
            code: 'custom',
            message: `must be an http:// or https:// URL, e.g. https://api.anthropic.com (got ${showValue(value)})`,
          });
      }),
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

/** Reads every input the schema names through `read` (core.getInput, CLI flags, ...). */
export function readInputs<S extends InputShape>(shape: S, read: InputReader): z.output<z.ZodObject<S>> {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(shape)) {
    const value = read(name);
    raw[name] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'unknown');
  const message =
    issue?.code === 'invalid_type' && raw[name] === undefined ? 'is required' : (issue?.message ?? 'is invalid');
  throw new InputError(name, message);
}
