import { z } from 'zod';
import { InputError } from './errors.js';

/**
 * Action inputs arrive as strings (empty when unset). Each action declares one zod object keyed
 * by input name; these helpers turn the strings into typed values with messages that say what
 * would be valid, so a bad input fails on one line that names it.
 */
export type InputShape = Record<string, z.ZodType>;

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
          const range = options.max === undefined ? `of at least ${options.min}` : `from ${options.min} to ${options.max}`;
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
      .refine((value) => value === undefined || (value.length <= 200 && !/[\r\n]/.test(value)), {
        message: 'must be one line of at most 200 characters',
      }),
};

/** Reads every input the schema names through `read` (core.getInput, CLI flags, ...). */
export function readInputs<S extends InputShape>(
  shape: S,
  read: (name: string) => string | undefined,
): z.output<z.ZodObject<S>> {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(shape)) {
    const value = read(name);
    raw[name] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? 'unknown');
  const message = issue?.code === 'invalid_type' && raw[name] === undefined ? 'is required' : (issue?.message ?? 'is invalid');
  throw new InputError(name, message);
}
