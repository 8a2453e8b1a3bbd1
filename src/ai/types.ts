import type Anthropic from '@anthropic-ai/sdk';
import type { TokenUsage } from './prices.js';

export interface ModelRequest {
  model: string;
  system?: string | Anthropic.TextBlockParam[];
  messages: Anthropic.MessageParam[];
  maxTokens: number;
  /**
   * Sent only when set. SDK 1.13 no longer types sampling parameters and newer models reject
   * non-default values with a 400, which callModel reports like any invalid request.
   */
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  tools?: Anthropic.ToolUnion[];
  toolChoice?: Anthropic.ToolChoice;
  /** JSON Schema for the reply; enforced by the API on models that support structured output. */
  outputSchema?: Record<string, unknown>;
}

export interface ModelResponse {
  /** The model that answered (as the API reports it). */
  model: string;
  message: Anthropic.Message;
  /** All text blocks joined, in order. */
  text: string;
  stopReason: Anthropic.StopReason | null;
  usage: TokenUsage;
  /** List-price estimate (see prices.ts); 0 when costKnown is false. */
  costUsd: number;
  /** False when the model is not in the price table, so costUsd is a placeholder 0. */
  costKnown: boolean;
  /** Wall time of the whole call, retries and waits included. */
  latencyMs: number;
  /** Requests sent, the successful one included. */
  attempts: number;
  retries: number;
  requestId: string | undefined;
}

export interface ToolCallRecord {
  tool: string;
  toolUseId: string;
  input: unknown;
  /** Present when the tool succeeded. */
  output?: string;
  /** Present when the tool failed; the model was shown this text with is_error. */
  error?: string;
  durationMs: number;
}

/**
 * Lets several calls share one view of the API's rate limits (a batch's worker pool): every
 * attempt waits for `beforeAttempt`, and reports a rate limit or overload (with retry-after) or
 * a success.
 */
export interface CallPacer {
  beforeAttempt(): Promise<void>;
  onRateLimited(retryAfterMs: number | undefined): void;
  onSuccess(): void;
}
