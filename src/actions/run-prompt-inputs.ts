import { readFileSync } from 'node:fs';
import type { RunPromptSpec } from '../ai/run-prompt.js';
import { claudeModelId, DEFAULT_MAX_TOKENS, PROVIDERS, type Provider } from '../ai/run-prompt-options.js';
import { fullYaml } from '../prompts/engine.js';
import { readLightYaml } from '../prompts/light-yaml.js';
import { loadSchemaInput } from '../prompts/schema.js';
import { errorMessage, InputError, UserError } from '../shared/errors.js';
import { input, lineInputs, readInputs, type InputReader, type SpecWithSecrets } from '../shared/inputs.js';
import type { GitHubContext } from '../io/github-context.js';
import type { Ports } from '../ports/ports.js';
import { confinedReadPath } from '../shared/paths.js';
import { isBedrockModelId } from '../ai/platforms.js';
import { cloudInputs } from './run-prompt-cloud-inputs.js';
import { modelAccess } from './model-access.js';
import { batchInputs, batchSpecs } from './run-prompt-batch-inputs.js';

/** run-prompt's inputs: one schema for the action (INPUT_*) and the CLI (--flags). */
export const runPromptInputs = {
  prompt: input.optionalText(),
  'prompt-file': input.optionalText(),
  channel: input.optionalText(),
  input: input.optionalText(),
  'input-files': input.optionalText(),
  'system-prompt': input.optionalText(),
  'system-prompt-file': input.optionalText(),
  model: lineInputs.model(),
  'max-tokens': input.integer({ min: 1, max: 128_000, default: DEFAULT_MAX_TOKENS }),
  temperature: input.number({ min: 0, max: 1 }),
  'top-p': input.number({ min: 0, max: 1 }),
  schema: input.optionalText(),
  tools: input.optionalText(),
  untrusted: input.optionalText(),
  cache: input.boolean(true),
  'max-cost-usd': input.number({ min: 0 }),
  'max-repairs': input.integer({ min: 0, max: 5, default: 1 }),
  'max-turns': input.integer({ min: 1, max: 50, default: 10 }),
  'allow-truncation': input.boolean(false),
  'timeout-seconds': input.integer({ min: 1, max: 3600, default: 600 }),
  'idle-timeout-seconds': input.integer({ min: 1, max: 3600, default: 120 }),
  provider: input.oneOf(PROVIDERS, 'anthropic'),
  recordings: input.optionalText(),
  'anthropic-api-key': input.optionalText(),
  'base-url': lineInputs.httpUrl(),
  'github-token': input.optionalText(),
  'response-file-format': input.oneOf(['json', 'text'] as const, 'json'),
  // actions/ai-inference's names, accepted where the meaning is the same (docs: migration table).
  file_input: input.optionalText(),
  'max-completion-tokens': input.optionalInteger({ min: 1, max: 128_000 }),
  ...cloudInputs,
  ...batchInputs,
};

/** Variable names, comma- or newline-separated. */
function parseUntrusted(text: string | undefined): string[] | undefined {
  if (!text) return undefined;
  const names = text
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter(Boolean);
  const bad = names.find((name) => !/^[A-Za-z0-9_.-]+$/.test(name));
  if (bad !== undefined)
    throw new InputError('untrusted', `names '${bad}', which is not a variable name; give names such as title, body`);
  return names;
}

/**
 * Parses a YAML input (or CLI flag); a syntax error names the input and the line within it.
 * The common `key: value` lines are read without the `yaml` library (light-yaml.ts); other text
 * needs it loaded (run the reading through withSchemaEngine).
 */
export function parseYamlInput(name: string, text: string): unknown {
  const light = readLightYaml(text);
  if (light && 'tree' in light) return light.tree.toJS();
  const { parse: parseYaml, YAMLError } = fullYaml();
  try {
    return parseYaml(text);
  } catch (error) {
    const line = error instanceof YAMLError ? error.linePos?.[0]?.line : undefined;
    throw new InputError(
      name,
      `is not valid YAML${line ? ` (line ${line} of the input)` : ''}: ${errorMessage(error).split('\n')[0]}`,
    );
  }
}

/** A YAML mapping input of variable names to values of one kind, each turned into the variable's text. */
function variablesInput<V>(
  name: string,
  text: string | undefined,
  isValue: (value: unknown) => value is V,
  expected: string,
  toText: (variable: string, value: V) => string,
): Record<string, string> {
  if (!text) return {};
  const value = parseYamlInput(name, text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError(name, expected);
  const entries = Object.entries(value);
  if (!entries.every((entry): entry is [string, V] => isValue(entry[1]))) throw new InputError(name, expected);
  return Object.fromEntries(entries.map(([key, entry]) => [key, toText(key, entry)]));
}

/** `input`: a YAML (or JSON) mapping of variable names to values; non-strings become JSON. */
export function parseVariables(text: string | undefined): Record<string, string> {
  return variablesInput(
    'input',
    text,
    (_value): _value is unknown => true,
    'must be a YAML mapping of variable names to values, e.g.\n  title: ${{ github.event.issue.title }}',
    (_variable, value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  );
}

/** `input-files`: a YAML mapping of variable names to file paths, read as UTF-8. */
export function readVariableFiles(text: string | undefined, workspace: string): Record<string, string> {
  return variablesInput(
    'input-files',
    text,
    (path): path is string => typeof path === 'string',
    'must be a YAML mapping of variable names to file paths, e.g.\n  diff: pr.diff',
    (variable, path) => readInputFile('input-files', path, workspace, ` for '${variable}'`),
  );
}

/** A file an input names, relative to the workspace; unreadable is the input's error. */
function readInputFile(input: string, path: string, workspace: string, purpose = ''): string {
  const absolute = confinedReadPath(input, path, workspace);
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new InputError(
      input,
      `names a file that cannot be read${purpose}: ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Headers that carry the credentials autostack sends; overriding them would bypass the provider's auth. */
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `custom-headers` (actions/ai-inference's input): a YAML or JSON mapping of header names to values. */
export function parseCustomHeaders(text: string | undefined, provider: Provider): Record<string, string> | undefined {
  if (!text?.trim()) return undefined;
  const value = parseYamlInput('custom-headers', text);
  const scalar = (entry: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof entry);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every(scalar)) {
    throw new InputError(
      'custom-headers',
      'must be a YAML or JSON mapping of header names to values, e.g.\n  X-Team: docs',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value as Record<string, string | number | boolean>)) {
    if (!HEADER_NAME.test(name))
      throw new InputError('custom-headers', `names '${name}', which is not a valid HTTP header name`);
    if (AUTH_HEADERS.has(name.toLowerCase())) {
      throw new InputError(
        'custom-headers',
        `may not set '${name}': it carries the ${provider} credentials; pass them through the provider's own inputs instead`,
      );
    }
    headers[name] = String(entry);
  }
  return headers;
}

function parseTools(text: string | undefined): unknown[] {
  if (!text) return [];
  const value = parseYamlInput('tools', text);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (!Array.isArray(value))
    throw new InputError('tools', 'must be a YAML list of tool names or {name, type: command, command} declarations');
  return value;
}

function defaultModelFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.AUTOSTACK_DEFAULT_MODEL?.trim();
  if (!value) return undefined;
  if (!/^(anthropic\/)?claude[-a-z0-9.@:[\]]*$/i.test(value)) {
    throw new InputError(
      'model',
      `default from AUTOSTACK_DEFAULT_MODEL must be a Claude model id such as claude-sonnet-5-5 (got '${value}')`,
    );
  }
  return claudeModelId(value) ?? value;
}

export interface RunPromptEnvironment {
  env: NodeJS.ProcessEnv;
  /** The run this step is in (readGitHubContext), read once by the entry point. */
  github: GitHubContext;
  workspace: string;
  record?: boolean;
  /** Made once by the entry point (runnerPorts). */
  ports: Ports;
}

/** The `model` input, when given, must be a Claude model: swapping it silently would run what was not asked for. */
function explicitModel(model: string | undefined, provider: Provider): string | undefined {
  if (model === undefined) return undefined;
  // Bedrock's ids and inference profiles are passed as written (docs: provider bedrock).
  if (provider === 'bedrock' && isBedrockModelId(model)) return model.trim();
  const claude = claudeModelId(model);
  if (claude) return claude;
  throw new InputError(
    'model',
    `is '${model}', which is not a Claude model: autostack runs prompts on Claude. Use a Claude id such as claude-sonnet-4-5, or leave 'model' out to use the prompt file's model (another vendor's model named in a prompt file runs on the default Claude model, with a notice).`,
  );
}

type AliasInputs = {
  'input-files'?: string | undefined;
  file_input?: string | undefined;
  'max-tokens': number;
  'max-completion-tokens'?: number | undefined;
};

/** `input-files`, or ai-inference's `file_input` (the same YAML mapping of variable → file). */
function variableFilesInput(inputs: AliasInputs): string | undefined {
  if (inputs['input-files'] && inputs.file_input)
    throw new InputError('file_input', "is actions/ai-inference's name for 'input-files'; give one of them, not both");
  return inputs['input-files'] ?? inputs.file_input;
}

/** `max-tokens` as given, or ai-inference's `max-completion-tokens`; undefined lets the prompt file decide. */
function maxTokensOf(read: InputReader, inputs: AliasInputs): number | undefined {
  const given = Boolean(read('max-tokens')?.trim());
  if (given && inputs['max-completion-tokens'] !== undefined)
    throw new InputError(
      'max-completion-tokens',
      "is actions/ai-inference's name for 'max-tokens'; give one of them, not both",
    );
  return given ? inputs['max-tokens'] : inputs['max-completion-tokens'];
}

/** Turns raw inputs (action or CLI) into the domain's spec; secrets are returned for masking. */
export function runPromptSpec(read: InputReader, context: RunPromptEnvironment): SpecWithSecrets<RunPromptSpec> {
  const inputs = readInputs(runPromptInputs, read);
  const { env, workspace } = context;
  const { access, secrets } = modelAccess(read, inputs, context, (provider) =>
    parseCustomHeaders(inputs['custom-headers'], provider),
  );
  if (inputs['prompt-file'] && inputs.prompt)
    throw new UserError("Inputs 'prompt' and 'prompt-file' were both given; use one.");
  // Checked up front, before anything is sent: confined, a text file, not over the API's size.
  if (inputs['prompt-file']) confinedReadPath('prompt-file', inputs['prompt-file'], workspace);
  if (inputs.recordings) confinedReadPath('recordings', inputs.recordings, workspace, { mustExist: false });
  const systemFile = inputs['system-prompt-file'];
  const systemFromFile = systemFile ? readInputFile('system-prompt-file', systemFile, workspace) : undefined;
  const spec: RunPromptSpec = {
    prompt: inputs.prompt,
    promptFile: inputs['prompt-file'],
    channel: inputs.channel,
    variables: { ...readVariableFiles(variableFilesInput(inputs), workspace), ...parseVariables(inputs.input) },
    systemPrompt: [inputs['system-prompt'], systemFromFile].filter(Boolean).join('\n\n') || undefined,
    model: explicitModel(inputs.model, access.provider),
    defaultModel: defaultModelFromEnv(env),
    maxTokens: maxTokensOf(read, inputs),
    temperature: inputs.temperature,
    topP: inputs['top-p'],
    schema: inputs.schema ? loadSchemaInput(inputs.schema, workspace) : undefined,
    tools: parseTools(inputs.tools),
    untrusted: parseUntrusted(inputs.untrusted),
    cache: inputs.cache,
    maxCostUsd: inputs['max-cost-usd'],
    allowTruncation: inputs['allow-truncation'],
    maxRepairs: inputs['max-repairs'],
    maxTurns: inputs['max-turns'],
    deadlineMs: inputs['timeout-seconds'] * 1000,
    idleTimeoutMs: inputs['idle-timeout-seconds'] * 1000,
    record: context.record ?? false,
    responseFileFormat: inputs['response-file-format'],
    ...batchSpecs(inputs, workspace),
    ...access,
  };
  return { spec, secrets };
}
