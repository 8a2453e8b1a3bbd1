/** Calling Claude: retries under one deadline, cost, stop reasons, structured replies, tools. */
export {
  callModel,
  defaultBackoff,
  supportsStructuredOutput,
  textOf,
  usageOf,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_ATTEMPTS,
  type CallOptions,
} from './client.js';
export { appendAssistant, toContentParams } from './conversation.js';
export {
  ModelError,
  ModelStopError,
  StructuredOutputError,
  ToolLoopLimitError,
  type ModelErrorKind,
  type ToolLoopLimit,
} from './errors.js';
export { costUsd, maxCostUsd, priceFor, type Price, type TokenUsage } from './prices.js';
export { interpretStopReason, type StopOutcome, type StopReasonOptions } from './stop-reasons.js';
export {
  parseStructured,
  repairMessage,
  runStructured,
  DEFAULT_MAX_REPAIRS,
  type ParseResult,
  type StructuredOptions,
  type StructuredResult,
  type Validate,
  type Validation,
} from './structured.js';
export {
  runToolLoop,
  sumUsage,
  totalTokens,
  type ToolExecutor,
  type ToolLoopLimits,
  type ToolLoopOptions,
  type ToolLoopResult,
  type ToolResult,
} from './tool-loop.js';
export type { ModelRequest, ModelResponse, ToolCallRecord } from './types.js';
