import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { contentHash, versionLabel } from './normalize.js';
import { compileSchemaAt } from './schema.js';
import {
  at,
  describeValue,
  isPlainObject,
  issueProblems,
  parseJson,
  pathString,
  problemsError,
  unknownKeys,
  type Problem,
  YamlSource,
  type DataPath,
} from './source.js';
import type { Evaluator, JsonSchemaSpec, PromptDefinition, PromptMessage, TestCase, ToolDeclaration } from './types.js';

/**
 * GitHub Models `.prompt.yml` files, read so that a file written for GitHub Models works
 * unchanged, plus autostack's optional `version`, `tools` and `jsonSchema` evaluators.
 */

const TOP_LEVEL_KEYS = [
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
] as const;
const MODEL_PARAMETER_KEYS = ['maxTokens', 'maxCompletionTokens', 'temperature', 'topP', 'stop'] as const;
const MESSAGE_KEYS = ['role', 'content'] as const;
const STRING_CHECKS = ['equals', 'contains', 'startsWith', 'endsWith'] as const;
const EVALUATOR_KINDS = ['string', 'llm', 'uses', 'jsonSchema'] as const;
const ROLES = ['system', 'user', 'assistant'] as const;

export const modelParametersSchema = z.looseObject({
  maxTokens: z.int().positive().optional(),
  maxCompletionTokens: z.int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  // One stop string is common enough to accept without the list around it.
  stop: z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(z.string().min(1))).optional(),
});

/** A quoted string; YAML reads `version: 1.10` as the number 1.1, so numbers are refused with a hint. */
export const versionSchema = z.custom<string>((value) => typeof value === 'string' && value.trim() !== '', {
  error: (issue) =>
    typeof issue.input === 'number'
      ? `must be a quoted string, or YAML changes it (write version: '${String(issue.input)}')`
      : `must be a non-empty string (got ${describeValue(issue.input)})`,
});

const message = z.looseObject({
  // GitHub's own loader accepts any case; keep that so its files still load.
  role: z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(ROLES)),
  content: z.string(),
});

const stringChecks = z
  .looseObject({
    equals: z.string().optional(),
    contains: z.string().optional(),
    startsWith: z.string().optional(),
    endsWith: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    const unknown = Object.keys(value).find((key) => !(STRING_CHECKS as readonly string[]).includes(key));
    if (unknown !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [unknown],
        message: `is not a string check; use ${STRING_CHECKS.join(', ')}`,
      });
    } else if (!STRING_CHECKS.some((key) => value[key] !== undefined)) {
      ctx.addIssue({ code: 'custom', message: `needs one of ${STRING_CHECKS.join(', ')}` });
    }
  });

const llmEvaluator = z.looseObject({
  modelId: z.string().min(1),
  prompt: z.string().min(1),
  choices: z.array(z.looseObject({ choice: z.string().min(1), score: z.number() })).min(1),
  systemPrompt: z.string().optional(),
});

const usesEvaluator = z.string().superRefine((value, ctx) => {
  if (!/^github\/[A-Za-z0-9_.-]+$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `must name a GitHub evaluator such as github/similarity (got ${describeValue(value)})`,
    });
  }
});

const jsonSchemaEvaluator = z.unknown().superRefine((value, ctx) => {
  const ok =
    value === true || (isPlainObject(value) && (isPlainObject(value.schema) || typeof value.schema === 'boolean'));
  if (!ok) {
    ctx.addIssue({
      code: 'custom',
      message: `must be true (check against the prompt's jsonSchema) or a mapping with a 'schema' (got ${describeValue(value)})`,
    });
  }
});

const evaluator = z
  .looseObject({
    name: z.string().min(1),
    string: stringChecks.optional(),
    llm: llmEvaluator.optional(),
    uses: usesEvaluator.optional(),
    jsonSchema: jsonSchemaEvaluator.optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = EVALUATOR_KINDS.filter((kind) => value[kind] !== undefined);
    if (kinds.length === 0) ctx.addIssue({ code: 'custom', message: `needs one of ${EVALUATOR_KINDS.join(', ')}` });
    if (kinds.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `must have only one of ${EVALUATOR_KINDS.join(', ')} (got ${kinds.join(' and ')})`,
      });
  });

const jsonSchemaSpec = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
});

// The tool layer (src/ai/tools.ts) checks the rest: allow-lists, command, args, parameters, env.
const tool = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  type: z.enum(['github', 'command']).optional(),
});

const promptFile = z
  .looseObject({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    model: z.string().min(1).optional(),
    modelParameters: modelParametersSchema.optional(),
    messages: z.array(message).min(1),
    responseFormat: z.enum(['text', 'json_object', 'json_schema']).optional(),
    jsonSchema: jsonSchemaSpec.optional(),
    testData: z.array(z.record(z.string(), z.unknown())).optional(),
    evaluators: z.array(evaluator).optional(),
    version: versionSchema.optional(),
    tools: z.array(tool).optional(),
    untrusted: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a variable name')).optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.messages.some((entry) => entry.role === 'user')) {
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'must include at least one message with role user' });
    }
    if (value.responseFormat === 'json_schema' && value.jsonSchema === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['responseFormat'],
        message: 'is json_schema, so jsonSchema is required (a JSON string or mapping with name and schema)',
      });
    }
    value.evaluators?.forEach((entry, index) => {
      if (entry.jsonSchema === true && value.jsonSchema === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['evaluators', index, 'jsonSchema'],
          message:
            'is true but the prompt has no jsonSchema to check against; add jsonSchema or give { schema: ... } here',
        });
      }
    });
    duplicateNames(value.evaluators ?? [], 'evaluators', ctx);
    duplicateNames(value.tools ?? [], 'tools', ctx);
  });

function duplicateNames(entries: ReadonlyArray<{ name: string }>, field: string, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const first = seen.get(entry.name);
    if (first === undefined) seen.set(entry.name, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [field, index, 'name'],
        message: `repeats ${field}[${first}].name '${entry.name}'; names must be unique`,
      });
  });
}

type ParsedPromptFile = z.output<typeof promptFile>;

export function parsePromptFile(text: string, file: string, defaultName: string): PromptDefinition {
  const parsed = YamlSource.parse(text);
  if ('error' in parsed)
    throw problemsError(file, [{ line: parsed.error.line, text: `invalid YAML: ${parsed.error.message}` }]);
  const source = parsed.source;
  const raw = source.toJS();
  if (!isPlainObject(raw)) {
    throw problemsError(file, [
      { line: 1, text: `a prompt file must be a mapping with at least 'messages' (got ${describeValue(raw)})` },
    ]);
  }

  const jsonSchema = readJsonSchemaField(raw, source, file);
  const data: Record<string, unknown> = jsonSchema ? { ...raw, jsonSchema: jsonSchema.value } : raw;
  const lineOf = (path: DataPath): number => {
    if (jsonSchema?.embedded && path[0] === 'jsonSchema' && path.length > 1) {
      const { embedded, firstLine } = jsonSchema.embedded;
      return firstLine + embedded.lineOf(path.slice(1)) - 1;
    }
    return source.lineOf(path);
  };

  const unknown = unknownFields(raw, lineOf);
  const result = promptFile.safeParse(data);
  // A misspelt required field shows up as "is required" plus an unknown key; list both.
  if (!result.success) throw problemsError(file, [...issueProblems(result.error.issues, data, lineOf), ...unknown]);
  const value = result.data;

  const warnings = [...unknown, ...otherWarnings(value, lineOf)].map(
    (problem) => `${at(file, problem.line)}${problem.text}`,
  );
  const spec = value.jsonSchema ? checkedJsonSchema(value.jsonSchema, file, lineOf) : undefined;
  return {
    ...definitionHeader(file, text, value, defaultName),
    messages: value.messages.map((entry, index): PromptMessage => ({
      role: entry.role,
      content: entry.content,
      label: `messages[${index}]`,
      line: lineOf(['messages', index]),
      contentLine: source.contentLineOf(['messages', index, 'content']),
    })),
    responseFormat: value.responseFormat ?? 'text',
    jsonSchema: spec,
    testData: (value.testData ?? []).map((entry, index): TestCase => ({
      variables: stringValues(entry),
      line: lineOf(['testData', index]),
    })),
    evaluators: (value.evaluators ?? []).map((entry, index) => toEvaluator(entry, index, spec, file, lineOf)),
    tools: (value.tools ?? []).map((entry, index): ToolDeclaration => ({
      name: entry.name,
      description: entry.description,
      type: entry.type,
      raw: { ...entry },
      line: lineOf(['tools', index]),
    })),
    ...(value.untrusted && { untrusted: value.untrusted }),
    warnings,
  };
}

interface JsonSchemaField {
  value: unknown;
  /** Set when jsonSchema was a JSON string whose lines are the file's lines. */
  embedded: { embedded: YamlSource; firstLine: number } | undefined;
}

/**
 * GitHub requires jsonSchema to be a JSON string (usually a `|` block); a YAML mapping is also
 * accepted because it is easier to write. For a string, errors inside it still get a file line.
 */
function readJsonSchemaField(
  raw: Record<string, unknown>,
  source: YamlSource,
  file: string,
): JsonSchemaField | undefined {
  const field = raw.jsonSchema;
  if (field === undefined) return undefined;
  if (isPlainObject(field)) return { value: field, embedded: undefined };
  if (typeof field !== 'string') {
    throw problemsError(file, [
      {
        line: source.lineOf(['jsonSchema']),
        text: `jsonSchema must be a JSON string or a mapping with name and schema (got ${describeValue(field)})`,
      },
    ]);
  }
  const firstLine = source.contentLineOf(['jsonSchema']);
  const parsedJson = parseJson(field);
  if ('error' in parsedJson) {
    const inside = parsedJson.error.line;
    const line =
      firstLine !== undefined && inside !== undefined ? firstLine + inside - 1 : source.lineOf(['jsonSchema']);
    throw problemsError(file, [{ line, text: `jsonSchema is not valid JSON: ${parsedJson.error.message}` }]);
  }
  const value = parsedJson.value;
  if (!isPlainObject(value)) {
    throw problemsError(file, [
      {
        line: source.lineOf(['jsonSchema']),
        text: `jsonSchema must hold a JSON object with name and schema (got ${describeValue(value)})`,
      },
    ]);
  }
  const embeddedParse = firstLine === undefined ? undefined : YamlSource.parse(field);
  const embedded =
    embeddedParse && 'source' in embeddedParse && firstLine !== undefined
      ? { embedded: embeddedParse.source, firstLine }
      : undefined;
  return { value, embedded };
}

function checkedJsonSchema(
  spec: NonNullable<ParsedPromptFile['jsonSchema']>,
  file: string,
  lineOf: (path: DataPath) => number,
): JsonSchemaSpec {
  compileSchemaAt(spec.schema, {
    file,
    label: 'jsonSchema.schema',
    lineOf: (pointer) => lineOf(['jsonSchema', 'schema', ...pointer]),
  });
  return {
    name: spec.name,
    description: spec.description,
    schema: spec.schema,
    strict: spec.strict,
    line: lineOf(['jsonSchema']),
  };
}

function toEvaluator(
  entry: NonNullable<ParsedPromptFile['evaluators']>[number],
  index: number,
  spec: JsonSchemaSpec | undefined,
  file: string,
  lineOf: (path: DataPath) => number,
): Evaluator {
  const base = { name: entry.name, line: lineOf(['evaluators', index]) };
  if (entry.string) {
    const checks = entry.string;
    return {
      ...base,
      kind: 'string',
      ...(checks.equals !== undefined && { equals: checks.equals }),
      ...(checks.contains !== undefined && { contains: checks.contains }),
      ...(checks.startsWith !== undefined && { startsWith: checks.startsWith }),
      ...(checks.endsWith !== undefined && { endsWith: checks.endsWith }),
    };
  }
  if (entry.llm) {
    const llm = entry.llm;
    return {
      ...base,
      kind: 'llm',
      modelId: llm.modelId,
      prompt: llm.prompt,
      choices: llm.choices.map((choice) => ({ choice: choice.choice, score: choice.score })),
      systemPrompt: llm.systemPrompt,
    };
  }
  if (entry.uses !== undefined) return { ...base, kind: 'uses', uses: entry.uses };
  if (entry.jsonSchema === true) {
    // The superRefine above guarantees the prompt has a schema when this is `true`.
    if (!spec)
      throw new UserError(`${at(file, base.line)}evaluators[${index}].jsonSchema needs the prompt's jsonSchema`, {
        file,
        line: base.line,
      });
    return { ...base, kind: 'jsonSchema', schema: spec.schema, fromPrompt: true };
  }
  const own = isPlainObject(entry.jsonSchema) ? entry.jsonSchema.schema : undefined;
  const schema = isPlainObject(own) || typeof own === 'boolean' ? own : true;
  const path = ['evaluators', index, 'jsonSchema', 'schema'];
  compileSchemaAt(schema, { file, label: pathString(path), lineOf: (pointer) => lineOf([...path, ...pointer]) });
  return { ...base, kind: 'jsonSchema', schema, fromPrompt: false };
}

function unknownFields(raw: Record<string, unknown>, lineOf: (path: DataPath) => number): Problem[] {
  const found = unknownKeys(raw, TOP_LEVEL_KEYS, [], lineOf);
  if (isPlainObject(raw.modelParameters))
    found.push(...unknownKeys(raw.modelParameters, MODEL_PARAMETER_KEYS, ['modelParameters'], lineOf));
  if (Array.isArray(raw.messages)) {
    raw.messages.forEach((entry: unknown, index) => {
      if (isPlainObject(entry)) found.push(...unknownKeys(entry, MESSAGE_KEYS, ['messages', index], lineOf));
    });
  }
  return found;
}

function otherWarnings(value: ParsedPromptFile, lineOf: (path: DataPath) => number): Problem[] {
  if (!value.jsonSchema || value.responseFormat === 'json_schema') return [];
  const format = value.responseFormat ?? 'not set (so text)';
  return [
    {
      line: lineOf(['jsonSchema']),
      text: `jsonSchema is set but responseFormat is ${format}, so replies are not held to it; set responseFormat: json_schema`,
    },
  ];
}

type HeaderFields =
  'file' | 'name' | 'description' | 'model' | 'modelParameters' | 'version' | 'versionLabel' | 'contentHash';

/** What every kind of prompt file derives the same way from its header and its text. */
export function definitionHeader(
  file: string,
  text: string,
  header: {
    name?: string | undefined;
    description?: string | undefined;
    model?: string | undefined;
    modelParameters?: z.output<typeof modelParametersSchema> | undefined;
    version?: string | undefined;
  },
  defaultName: string,
): Pick<PromptDefinition, HeaderFields> {
  const hash = contentHash(text);
  return {
    file,
    name: header.name ?? defaultName,
    description: header.description,
    model: header.model,
    modelParameters: cleanParameters(header.modelParameters),
    version: header.version,
    versionLabel: versionLabel(header.version, hash),
    contentHash: hash,
  };
}

/** Only the parameters we know, without the extra keys a loose object keeps. */
export function cleanParameters(
  parameters: z.output<typeof modelParametersSchema> | undefined,
): PromptDefinition['modelParameters'] {
  if (!parameters) return {};
  return {
    ...(parameters.maxTokens !== undefined && { maxTokens: parameters.maxTokens }),
    ...(parameters.maxCompletionTokens !== undefined && { maxCompletionTokens: parameters.maxCompletionTokens }),
    ...(parameters.temperature !== undefined && { temperature: parameters.temperature }),
    ...(parameters.topP !== undefined && { topP: parameters.topP }),
    ...(parameters.stop !== undefined && { stop: parameters.stop }),
  };
}

/** Test data feeds {{placeholders}}, which are text; structured values go in as JSON. */
function stringValues(entry: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(entry)) {
    out[key] =
      typeof item === 'string'
        ? item
        : item === null || item === undefined
          ? ''
          : typeof item === 'object'
            ? JSON.stringify(item)
            : String(item);
  }
  return out;
}
