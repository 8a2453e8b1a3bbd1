/**
 * What a loaded prompt looks like to the rest of autostack, whichever file format it came from.
 * Lines are kept beside the values so later stages (rendering, the eval gate, the tool layer)
 * can still point a user at the line to fix.
 */

export type MessageRole = 'system' | 'user' | 'assistant';
export type ResponseFormat = 'text' | 'json_object' | 'json_schema';

export interface ModelParameters {
  maxTokens?: number;
  maxCompletionTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
}

export interface PromptMessage {
  role: MessageRole;
  content: string;
  /** How errors name this message: 'messages[1]', 'system' or 'prompt'. */
  label: string;
  /** The line of the message entry; undefined for inline prompts. */
  line: number | undefined;
  /**
   * The file line holding the first character of `content`, only when every later content line
   * is the next file line too (block literals, one-line scalars, markdown bodies); lets errors
   * point at the exact line of a placeholder.
   */
  contentLine: number | undefined;
}

export interface JsonSchemaSpec {
  name: string;
  description: string | undefined;
  /** An object schema, already checked to compile. */
  schema: Record<string, unknown>;
  strict: boolean | undefined;
  line: number | undefined;
}

export interface TestCase {
  /** Every value as a string (non-strings are JSON-encoded), including `expected` when present. */
  variables: Record<string, string>;
  line: number | undefined;
  /** autostack's addition: how many times the eval gate runs this case (default: the prompt's `repeat`). */
  repeat?: number;
  /** How many of those runs must pass (default: every run of the case's own `repeat`, else the prompt's). */
  minPasses?: number;
}

interface EvaluatorBase {
  name: string;
  line: number | undefined;
}

/** All given checks must hold (GitHub's format allows several in one `string` block). */
export interface StringEvaluator extends EvaluatorBase {
  kind: 'string';
  equals?: string;
  contains?: string;
  startsWith?: string;
  endsWith?: string;
}

export interface LlmEvaluator extends EvaluatorBase {
  kind: 'llm';
  modelId: string;
  /** May use {{input}}, {{expected}} and {{completion}} besides the test case's variables. */
  prompt: string;
  choices: Array<{ choice: string; score: number }>;
  systemPrompt: string | undefined;
}

/** A GitHub built-in evaluator such as github/similarity; run by whoever supports it. */
export interface UsesEvaluator extends EvaluatorBase {
  kind: 'uses';
  uses: string;
}

/** autostack's addition: the reply must parse as JSON and be valid against `schema`. */
export interface JsonSchemaEvaluator extends EvaluatorBase {
  kind: 'jsonSchema';
  schema: Record<string, unknown> | boolean;
  /** True when written as `jsonSchema: true`, i.e. the prompt's own jsonSchema. */
  fromPrompt: boolean;
}

export type Evaluator = StringEvaluator | LlmEvaluator | UsesEvaluator | JsonSchemaEvaluator;

/** Checked only for the fields every tool has; the tool layer validates the rest of `raw`. */
export interface ToolDeclaration {
  name: string;
  description: string | undefined;
  type: 'github' | 'command' | undefined;
  /** The entry as written. */
  raw: Record<string, unknown>;
  line: number | undefined;
}

export interface PromptDefinition {
  /** The path as given (or relative to cwd when absolute inside it); undefined for inline prompts. */
  file: string | undefined;
  /** Explicit name, else the file name without its prompt extension, else 'prompt'. */
  name: string;
  description: string | undefined;
  model: string | undefined;
  modelParameters: ModelParameters;
  messages: PromptMessage[];
  responseFormat: ResponseFormat;
  jsonSchema: JsonSchemaSpec | undefined;
  testData: TestCase[];
  /** autostack's addition: runs per test case in the eval gate, and how many must pass, for every case. */
  repeat?: number;
  minPasses?: number;
  /** The evaluators that could be read. */
  evaluators: Evaluator[];
  /**
   * Evaluators that could not be read, each prefixed with file:line; absent when there are none.
   * run-prompt warns and runs (it uses no evaluator); the eval gate refuses.
   */
  evaluatorProblems?: string[];
  tools: ToolDeclaration[];
  /**
   * Variables whose values are written by others (`untrusted:` in a .prompt.yml): delivered
   * cleaned and delimited, never in the system prompt (see untrusted.ts).
   */
  untrusted?: string[];
  /** The explicit `version` field, if any. */
  version: string | undefined;
  /** `version` when given, else 'sha256:' and the first 12 hex digits of contentHash. */
  versionLabel: string;
  /** 'sha256:' + hex digest of the normalized source (see normalizeForHash). */
  contentHash: string;
  /** Problems that do not stop the prompt from running, each already prefixed with file:line. */
  warnings: string[];
}

export interface RenderedPrompt {
  /** All system messages, in order, joined by a blank line. */
  system?: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
}
