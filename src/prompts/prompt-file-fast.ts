import { MAX_REPEAT } from './limits.js';
import type { ModelParameters, ParsedPromptFile } from './prompt-schemas.js';
import { isPlainObject } from './source.js';

/**
 * The common shape of a `.prompt.yml` checked by hand, so that reading one does not load classic
 * zod (~30 ms at start). `commonPromptFile` returns exactly what prompt-schemas.ts's
 * promptFileSchema returns for the same data (defaults, the lower-cased role, one `stop` string
 * made a list, keys in zod's order: the schema's keys, then the others as given), or undefined
 * for anything outside the shape or wrong: then the zod schema reads the file and names the
 * problem. It only ever accepts less than zod; test/property/prompt-file-fast.test.ts holds it to
 * zod's result. Tools are left to zod (the tool layer loads it anyway).
 */

/** The top-level keys of a prompt file, in the schema's order. */
export const PROMPT_FILE_KEYS = [
  'name',
  'description',
  'model',
  'modelParameters',
  'messages',
  'responseFormat',
  'jsonSchema',
  'testData',
  'evaluators',
  'version',
  'tools',
  'untrusted',
  'repeat',
  'minPasses',
] as const;
const ROLES: readonly string[] = ['system', 'user', 'assistant'];
const RESPONSE_FORMATS: readonly string[] = ['text', 'json_object', 'json_schema'];
const NOT_OK = Symbol('not ok');
type Checked<T> = T | typeof NOT_OK;
type Check = (value: unknown) => unknown;

const string = (value: unknown): Checked<string> => (typeof value === 'string' ? value : NOT_OK);
const nonEmpty = (value: unknown): Checked<string> => (typeof value === 'string' && value !== '' ? value : NOT_OK);
const boolean = (value: unknown): Checked<boolean> => (typeof value === 'boolean' ? value : NOT_OK);
const positiveInt = (value: unknown): Checked<number> =>
  Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : NOT_OK;
const repeatCount = (value: unknown): Checked<number> =>
  Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_REPEAT ? (value as number) : NOT_OK;
const between =
  (low: number, high: number) =>
  (value: unknown): Checked<number> =>
    typeof value === 'number' && Number.isFinite(value) && value >= low && value <= high ? value : NOT_OK;

/** An object with `fields` checked (absent optional ones left out), then its other keys as given. */
function looseObject(
  value: unknown,
  fields: Record<string, Check>,
  required: readonly string[] = [],
): Checked<Record<string, unknown>> {
  if (!isPlainObject(value)) return NOT_OK;
  const out: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(fields)) {
    if (!Object.hasOwn(value, key)) {
      if (required.includes(key)) return NOT_OK;
      continue;
    }
    const checked = check(value[key]);
    if (checked === NOT_OK) return NOT_OK;
    out[key] = checked;
  }
  for (const [key, item] of Object.entries(value)) if (!Object.hasOwn(fields, key)) out[key] = item;
  return out;
}

function list<T>(value: unknown, check: (item: unknown) => Checked<T>): Checked<T[]> {
  if (!Array.isArray(value)) return NOT_OK;
  const out: T[] = [];
  for (const item of value as unknown[]) {
    const checked = check(item);
    if (checked === NOT_OK) return NOT_OK;
    out.push(checked);
  }
  return out;
}

const modelParameters = (value: unknown): Checked<ModelParameters> =>
  looseObject(value, {
    maxTokens: positiveInt,
    maxCompletionTokens: positiveInt,
    temperature: between(0, 2),
    topP: between(0, 1),
    stop: (stop) => list(typeof stop === 'string' ? [stop] : stop, nonEmpty),
  });

const message = (value: unknown) =>
  looseObject(
    value,
    {
      role: (role) => {
        const lower = typeof role === 'string' ? role.toLowerCase() : role;
        return typeof lower === 'string' && ROLES.includes(lower) ? lower : NOT_OK;
      },
      content: string,
    },
    ['role', 'content'],
  );

const jsonSchemaSpec = (value: unknown) =>
  looseObject(
    value,
    {
      name: nonEmpty,
      description: string,
      schema: (schema) => (isPlainObject(schema) ? { ...schema } : NOT_OK),
      strict: boolean,
    },
    ['name', 'schema'],
  );

/** `minPasses` out of `repeat` runs, when both are set at the same level. */
const passesFit = (value: Record<string, unknown>): boolean =>
  value.repeat === undefined ||
  value.minPasses === undefined ||
  (value.minPasses as number) <= (value.repeat as number);

const testCase = (value: unknown) => {
  const checked = looseObject(value, { repeat: repeatCount, minPasses: repeatCount });
  return checked !== NOT_OK && passesFit(checked) ? checked : NOT_OK;
};

const FIELDS: Record<(typeof PROMPT_FILE_KEYS)[number], Check> = {
  name: nonEmpty,
  description: string,
  model: nonEmpty,
  modelParameters,
  messages: (value) => {
    const messages = list(value, message);
    return messages !== NOT_OK && messages.length > 0 ? messages : NOT_OK;
  },
  responseFormat: (value) => (typeof value === 'string' && RESPONSE_FORMATS.includes(value) ? value : NOT_OK),
  jsonSchema: jsonSchemaSpec,
  testData: (value) => list(value, testCase),
  evaluators: (value) => value,
  version: (value) => (typeof value === 'string' && value.trim() !== '' ? value : NOT_OK),
  tools: () => NOT_OK,
  untrusted: (value) =>
    list(value, (name) => (typeof name === 'string' && /^[A-Za-z0-9_.-]+$/.test(name) ? name : NOT_OK)),
  repeat: repeatCount,
  minPasses: repeatCount,
};

export function commonPromptFile(data: Record<string, unknown>): ParsedPromptFile | undefined {
  const value = looseObject(data, FIELDS, ['messages']);
  if (value === NOT_OK || !passesFit(value)) return undefined;
  const file = value as ParsedPromptFile;
  if (!file.messages.some((entry) => entry.role === 'user')) return undefined;
  if (file.responseFormat === 'json_schema' && file.jsonSchema === undefined) return undefined;
  return file;
}
