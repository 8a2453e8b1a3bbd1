import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { InputError, UserError } from '../shared/errors.js';
import type { AnyAjv, Draft } from './schema-engine.js';
import { ajvPart } from './engine.js';
import { at, describeValue, isPlainObject, parseJson, problemsError, YamlSource, type Problem } from './source.js';

export type SchemaValidation = { valid: true } | { valid: false; errors: string[] };

export interface CompiledSchema {
  readonly schema: Record<string, unknown> | boolean;
  /** Errors read `/labels/0: must be equal to one of the allowed values (bug, feature, question)`. */
  validate(value: unknown): SchemaValidation;
}

/** Where a schema came from, so its errors can say so. */
export interface SchemaWhere {
  file?: string | undefined;
  line?: number | undefined;
  /** An action input name: errors become InputErrors naming it. */
  input?: string | undefined;
}

/**
 * Internal richer form: a label for messages ('jsonSchema.schema') and a way to turn a JSON
 * pointer inside the schema into a file line, so a bad keyword is reported on its own line.
 */
export interface SchemaSite extends SchemaWhere {
  label?: string;
  lineOf?: (pointer: readonly string[]) => number | undefined;
}

function newAjv(draft: Draft): AnyAjv {
  return ajvPart().newAjv(draft);
}

const SUPPORTED = 'draft-07 (the default when $schema is absent), 2019-09 or 2020-12';

export function compileSchema(schema: unknown, where: SchemaWhere): CompiledSchema {
  return compileSchemaAt(schema, where);
}

/**
 * Compiled schemas by schema object. A schema is checked where it is read (prompt file, input)
 * and used again to validate replies; each compile costs a new Ajv instance (~10 ms), so the
 * second one is served from here. Schemas are never mutated after they are read.
 */
const compiled = new WeakMap<object, CompiledSchema>();

export function compileSchemaAt(schema: unknown, site: SchemaSite): CompiledSchema {
  const known = isPlainObject(schema) ? compiled.get(schema) : undefined;
  if (known) return known;
  if (typeof schema !== 'boolean' && !isPlainObject(schema)) {
    throw schemaError(site, [{ pointer: [], text: `must be a JSON Schema object (got ${describeValue(schema)})` }]);
  }
  const draft = draftOf(schema);
  if (typeof draft !== 'string') {
    throw schemaError(site, [
      {
        pointer: ['$schema'],
        text: `/$schema: ${describeValue(draft.unsupported)} is not supported; use ${SUPPORTED}`,
      },
    ]);
  }
  const ajv = newAjv(draft);
  // validateSchema first: compile() would only throw one flattened string, and we want each
  // problem with its own pointer (and so its own line).
  if (!ajv.validateSchema(schema)) {
    throw schemaError(site, metaProblems(ajv.errors ?? []));
  }
  let validateFunction: ReturnType<AnyAjv['compile']>;
  try {
    validateFunction = ajv.compile(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw schemaError(site, [{ pointer: refPointer(schema, message) ?? [], text: message }]);
  }
  const result: CompiledSchema = {
    schema,
    validate(value: unknown): SchemaValidation {
      if (validateFunction(value)) return { valid: true };
      return { valid: false, errors: [...new Set((validateFunction.errors ?? []).map(formatAjvError))] };
    },
  };
  if (typeof schema !== 'boolean') compiled.set(schema, result);
  return result;
}

/**
 * Reads the action's `schema` input: inline JSON or YAML, or a path (relative to cwd) to a
 * .json/.yml/.yaml file. The schema is also checked here, so errors in a schema file point at
 * the file's line rather than at the input. A `{name, schema, strict}` wrapper, as a prompt
 * file's jsonSchema is written, is unwrapped so the same block can be reused.
 */
export function loadSchemaInput(value: string, cwd: string): unknown {
  const text = value.trim();
  if (text === '')
    throw new InputError(
      'schema',
      'is empty; give a JSON Schema as JSON or YAML text, or a path to a .json, .yml or .yaml file',
    );
  const looksLikePath = !text.includes('\n') && !/^[{[]/.test(text) && /\.(json|ya?ml)$/i.test(text);
  if (looksLikePath) return loadSchemaFile(text, cwd);

  const data = parseInline(text);
  if (!isPlainObject(data) && typeof data !== 'boolean') {
    throw new InputError(
      'schema',
      `must be a JSON Schema (JSON or YAML text) or a path to a .json, .yml or .yaml file (got ${describeValue(data)})`,
    );
  }
  const schema = unwrap(data);
  compileSchemaAt(schema.value, { input: 'schema' });
  return schema.value;
}

/** JSON first; YAML (a superset) only if that fails, with the JSON error kept when the text was meant as JSON. */
function parseInline(text: string): unknown {
  const json = parseJson(text);
  if ('value' in json) return json.value;
  const yaml = YamlSource.parse(text);
  if ('source' in yaml) return yaml.source.toJS();
  const meantAsJson = /^[{[]/.test(text);
  const line = meantAsJson ? json.error.line : yaml.error.line;
  const message = meantAsJson ? json.error.message : yaml.error.message;
  throw new InputError(
    'schema',
    `is not valid ${meantAsJson ? 'JSON' : 'YAML'} (${line === undefined ? '' : `line ${line} of the input: `}${message})`,
  );
}

function loadSchemaFile(path: string, cwd: string): unknown {
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new InputError('schema', `names a file that does not exist: ${path} (looked for ${absolute})`);
  }
  const text = readFileSync(absolute, 'utf8');
  // A .json file must be JSON (YAML would forgive trailing commas other tools reject); the YAML
  // parse is still what maps pointers to lines, since JSON is YAML.
  const json = /\.json$/i.test(path) ? parseJson(text) : undefined;
  if (json && 'error' in json) {
    const line = json.error.line ?? 1;
    throw new UserError(`${at(path, line)}invalid JSON in input 'schema': ${json.error.message}`, { file: path, line });
  }
  const parsed = YamlSource.parse(text);
  if ('error' in parsed) {
    throw new UserError(
      `${at(path, parsed.error.line)}invalid ${json ? 'JSON' : 'YAML'} in input 'schema': ${parsed.error.message}`,
      {
        file: path,
        line: parsed.error.line,
      },
    );
  }
  const source = parsed.source;
  const data = source.toJS();
  if (!isPlainObject(data) && typeof data !== 'boolean') {
    throw new UserError(
      `${at(path, 1)}input 'schema' file must hold a JSON Schema object (got ${describeValue(data)})`,
      { file: path, line: 1 },
    );
  }
  const schema = unwrap(data);
  compileSchemaAt(schema.value, {
    file: path,
    label: "input 'schema'",
    lineOf: (pointer) => source.lineOf([...schema.prefix, ...pointer]),
  });
  return schema.value;
}

function unwrap(data: Record<string, unknown> | boolean): {
  value: Record<string, unknown> | boolean;
  prefix: string[];
} {
  const looksWrapped =
    isPlainObject(data) &&
    typeof data.name === 'string' &&
    isPlainObject(data.schema) &&
    !('type' in data) &&
    !('properties' in data) &&
    !('$schema' in data);
  if (looksWrapped && isPlainObject(data.schema)) return { value: data.schema, prefix: ['schema'] };
  return { value: data, prefix: [] };
}

function draftOf(schema: Record<string, unknown> | boolean): Draft | { unsupported: unknown } {
  if (typeof schema === 'boolean' || schema.$schema === undefined) return 'draft-07';
  const uri = schema.$schema;
  if (typeof uri !== 'string') return { unsupported: uri };
  if (/json-schema\.org\/draft-07\/schema#?$/.test(uri)) return 'draft-07';
  if (/json-schema\.org\/draft\/2019-09\/schema#?$/.test(uri)) return '2019-09';
  if (/json-schema\.org\/draft\/2020-12\/schema#?$/.test(uri)) return '2020-12';
  return { unsupported: uri };
}

interface SchemaProblem {
  pointer: string[];
  text: string;
}

function schemaError(site: SchemaSite, problems: readonly SchemaProblem[]): UserError {
  const label = site.label ?? 'schema';
  if (site.input !== undefined) {
    const details = problems.map((problem) => problem.text).join('; ');
    return new InputError(site.input, `is not a valid JSON Schema: ${details}`);
  }
  const located: Problem[] = problems.map((problem, index) => ({
    line: site.lineOf?.(problem.pointer) ?? site.line,
    text: index === 0 ? `${label} is not a valid JSON Schema: ${problem.text}` : problem.text,
  }));
  return problemsError(site.file, located);
}

/**
 * Meta-schema errors come in bunches: a wrong `type` yields the enum miss, the "must be array"
 * of the other anyOf branch, and the anyOf summary, and every ancestor repeats it. Keep the
 * deepest pointer and, there, the most telling error.
 */
function metaProblems(errors: readonly ErrorObject[]): SchemaProblem[] {
  const paths = [...new Set(errors.map((error) => error.instancePath))];
  const deepest = paths.filter((path) => !paths.some((other) => other !== path && other.startsWith(`${path}/`)));
  return deepest.map((path) => {
    const here = errors.filter((error) => error.instancePath === path);
    const best =
      here.find((error) => error.keyword === 'enum') ??
      here.find((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf') ??
      here[0];
    return { pointer: splitPointer(path), text: best ? formatAjvError(best) : `${path}: is invalid` };
  });
}

/** `/labels/0: must be equal to one of the allowed values (bug, feature, question)` */
export function formatAjvError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let detail = '';
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues))
    detail = ` (${params.allowedValues.map(plain).join(', ')})`;
  else if (error.keyword === 'const') detail = ` (${plain(params.allowedValue)})`;
  else if (error.keyword === 'additionalProperties') detail = ` ('${String(params.additionalProperty)}')`;
  else if (error.keyword === 'unevaluatedProperties') detail = ` ('${String(params.unevaluatedProperty)}')`;
  return `${where}: ${error.message ?? error.keyword}${detail}`;
}

function plain(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** For "can't resolve reference X": the pointer of the $ref that names X, to report its line. */
function refPointer(schema: unknown, message: string): string[] | undefined {
  const walk = (value: unknown, path: string[]): string[] | undefined => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) {
        const found = walk(item, [...path, String(index)]);
        if (found) return found;
      }
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key === '$ref' && typeof item === 'string' && message.includes(item)) return [...path, key];
        const found = walk(item, [...path, key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(schema, []);
}
