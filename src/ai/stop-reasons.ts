/**
 * What a response's stop_reason means for the caller. Every value the API documents has a
 * defined outcome here, so a new or missing value fails loudly instead of passing as success.
 */
export type StopOutcome =
  /** The turn is complete (for tool_use: complete until the caller has run the tools). */
  | { ok: true; continue: false; truncated: boolean }
  /** pause_turn: send the assistant content back unchanged and call again to let it finish. */
  | { ok: true; continue: true }
  | { ok: false; message: string };

export interface StopReasonOptions {
  /** Accept a response cut off at max_tokens (e.g. free text where a partial answer is useful). */
  allowTruncation?: boolean;
  /** The request's max_tokens, quoted in the truncation message. */
  maxTokens?: number;
}

export function interpretStopReason(
  stopReason: string | null | undefined,
  options: StopReasonOptions = {},
): StopOutcome {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'tool_use':
      return { ok: true, continue: false, truncated: false };
    case 'pause_turn':
      return { ok: true, continue: true };
    case 'max_tokens': {
      if (options.allowTruncation === true) return { ok: true, continue: false, truncated: true };
      const limit = options.maxTokens === undefined ? 'max-tokens' : `max-tokens (${options.maxTokens})`;
      return {
        ok: false,
        message: `The model's reply was cut off at ${limit} before it finished. Raise max-tokens or ask for a shorter answer.`,
      };
    }
    case 'refusal':
      return {
        ok: false,
        message: 'The model declined to answer this request (stop reason: refusal). Review the prompt and inputs.',
      };
    case 'model_context_window_exceeded':
      return {
        ok: false,
        message:
          "The conversation filled the model's context window (stop reason: model_context_window_exceeded). Shorten the prompt or the inputs it includes, or use fewer tool turns.",
      };
    case null:
    case undefined:
      return { ok: false, message: 'The response ended without a stop reason, so it may be incomplete.' };
    default:
      return {
        ok: false,
        message: `The response stopped for a reason autostack does not know ('${stopReason}'); treating it as a failure.`,
      };
  }
}
