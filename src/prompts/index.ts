/**
 * Prompts: loading GitHub Models prompt files and plain-text prompts, rendering their
 * placeholders, and compiling the JSON Schemas replies are checked against.
 */
export { loadPrompt } from './load.js';
export { promptFromText } from './text-prompt.js';
export { renderPrompt, listVariables, fillTemplate } from './render.js';
export { compileSchema, loadSchemaInput, type CompiledSchema, type SchemaValidation, type SchemaWhere } from './schema.js';
export { normalizeForHash } from './normalize.js';
export type {
  Evaluator,
  JsonSchemaEvaluator,
  JsonSchemaSpec,
  LlmEvaluator,
  MessageRole,
  ModelParameters,
  PromptDefinition,
  PromptMessage,
  RenderedPrompt,
  ResponseFormat,
  StringEvaluator,
  TestCase,
  ToolDeclaration,
  UsesEvaluator,
} from './types.js';
