import { contentHash, versionLabel } from './normalize.js';
import { readEvaluators } from './prompt-evaluators.js';
import { commonPromptFile, PROMPT_FILE_KEYS } from './prompt-file-fast.js';
import type { ModelParameters, ParsedPromptFile } from './prompt-schemas.js';
import { promptSchemas } from './engine.js';
import { compileSchemaAt } from './schema.js';
import {
  at,
  describeValue,
  isPlainObject,
  issueProblems,
  parseJson,
  problemsError,
  unknownKeys,
  type Problem,
  YamlSource,
  type DataPath,
} from './source.js';
import type { JsonSchemaSpec, PromptDefinition, PromptMessage, TestCase, ToolDeclaration } from './types.js';

/**
 * GitHub Models `.prompt.yml` files, read so that a file written for GitHub Models works
 * unchanged, plus autostack's optional `version`, `tools` and `jsonSchema` evaluators.
 */

const MODEL_PARAMETER_KEYS = ['maxTokens', 'maxCompletionTokens', 'temperature', 'topP', 'stop'] as const;
const MESSAGE_KEYS = ['role', 'content'] as const;

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
  const value = commonPromptFile(data) ?? parseWithZod(data, file, lineOf, unknown);

  const warnings = [...unknown, ...otherWarnings(value, lineOf)].map(
    (problem) => `${at(file, problem.line)}${problem.text}`,
  );
  const spec = value.jsonSchema ? checkedJsonSchema(value.jsonSchema, file, lineOf) : undefined;
  const evaluators = readEvaluators(data, spec, file, lineOf);
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
    testData: (value.testData ?? []).map(({ repeat, minPasses, ...variables }, index): TestCase => ({
      variables: stringValues(variables),
      line: lineOf(['testData', index]),
      ...(repeat !== undefined && { repeat }),
      ...(minPasses !== undefined && { minPasses }),
    })),
    ...(value.repeat !== undefined && { repeat: value.repeat }),
    ...(value.minPasses !== undefined && { minPasses: value.minPasses }),
    evaluators: evaluators.valid,
    ...(evaluators.problems.length > 0 && {
      evaluatorProblems: evaluators.problems.map((problem) => `${at(file, problem.line)}${problem.text}`),
    }),
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

/** Files outside the hand-checked shape, and every wrong one: zod reads them and names the problem. */
function parseWithZod(
  data: Record<string, unknown>,
  file: string,
  lineOf: (path: DataPath) => number,
  unknown: Problem[],
): ParsedPromptFile {
  const result = promptSchemas().promptFileSchema.safeParse(data);
  // A misspelt required field shows up as "is required" plus an unknown key; list both.
  if (!result.success) throw problemsError(file, [...issueProblems(result.error.issues, data, lineOf), ...unknown]);
  return result.data;
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

function unknownFields(raw: Record<string, unknown>, lineOf: (path: DataPath) => number): Problem[] {
  const found = unknownKeys(raw, PROMPT_FILE_KEYS, [], lineOf);
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
    modelParameters?: ModelParameters | undefined;
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
export function cleanParameters(parameters: ModelParameters | undefined): PromptDefinition['modelParameters'] {
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
