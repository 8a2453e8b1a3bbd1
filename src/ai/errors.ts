import { UserError } from '../shared/errors.js';
import type { ModelResponse, ToolCallRecord } from './types.js';

/**
 * Model failures are UserErrors: each one is either something the user can fix (key, model
 * name, prompt size, budget) or an outage they should see as such, never an autostack bug.
 */

export type ModelErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'rate_limit'
  | 'overloaded'
  | 'api'
  | 'timeout'
  | 'connection'
  | 'deadline';

export interface ModelErrorDetails {
  status?: number | undefined;
  /** The API's own error type, e.g. `invalid_request_error`. */
  apiType?: string | undefined;
  /** The API's own message, verbatim. */
  apiMessage?: string | undefined;
  requestId?: string | undefined;
  /** Whether another attempt could succeed; false once callModel has given up. */
  retryable?: boolean;
  /** Requests sent before giving up. */
  attempts?: number;
  cause?: unknown;
}

export class ModelError extends UserError {
  readonly kind: ModelErrorKind;
  readonly status: number | undefined;
  readonly apiType: string | undefined;
  readonly apiMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly attempts: number;
  constructor(kind: ModelErrorKind, message: string, details: ModelErrorDetails = {}) {
    super(message);
    this.name = 'ModelError';
    this.kind = kind;
    this.status = details.status;
    this.apiType = details.apiType;
    this.apiMessage = details.apiMessage;
    this.requestId = details.requestId;
    this.retryable = details.retryable ?? false;
    this.attempts = details.attempts ?? 1;
    if (details.cause !== undefined) this.cause = details.cause;
  }
}

/** The response ended in a way that is not a usable answer (refusal, truncation, ...). */
export class ModelStopError extends UserError {
  readonly stopReason: string | null;
  /** Every response of the failed operation, so its cost can still be recorded. */
  readonly responses: readonly ModelResponse[];
  constructor(message: string, stopReason: string | null, responses: readonly ModelResponse[]) {
    super(message);
    this.name = 'ModelStopError';
    this.stopReason = stopReason;
    this.responses = responses;
  }
}

/** The model did not produce valid JSON for the schema, even after the allowed repairs. */
export class StructuredOutputError extends UserError {
  readonly errors: readonly string[];
  /** The model's last reply, for the log (it may be long; callers truncate). */
  readonly lastText: string;
  readonly attempts: number;
  readonly responses: readonly ModelResponse[];
  constructor(errors: readonly string[], lastText: string, attempts: number, responses: readonly ModelResponse[]) {
    const list = errors.map((e) => `  - ${e}`).join('\n');
    super(
      `The model's reply was not valid structured output after ${attempts} ${attempts === 1 ? 'try' : 'tries'}:\n${list}`,
    );
    this.name = 'StructuredOutputError';
    this.errors = errors;
    this.lastText = lastText;
    this.attempts = attempts;
    this.responses = responses;
  }
}

export type ToolLoopLimit = 'max_turns' | 'max_total_tokens' | 'max_cost_usd';

/** The tool loop stopped at a limit before the model finished. */
export class ToolLoopLimitError extends UserError {
  readonly limit: ToolLoopLimit;
  readonly responses: readonly ModelResponse[];
  readonly toolCalls: readonly ToolCallRecord[];
  constructor(
    limit: ToolLoopLimit,
    message: string,
    progress: { responses: readonly ModelResponse[]; toolCalls: readonly ToolCallRecord[] },
  ) {
    super(message);
    this.name = 'ToolLoopLimitError';
    this.limit = limit;
    this.responses = progress.responses;
    this.toolCalls = progress.toolCalls;
  }
}
