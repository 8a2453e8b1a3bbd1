import type Anthropic from '@anthropic-ai/sdk';
import { appendAssistant } from './conversation.js';
import { ModelStopError, StructuredOutputError } from './errors.js';
import { interpretStopReason } from './stop-reasons.js';
import type { ModelRequest, ModelResponse } from './types.js';

export type Validation = { valid: true } | { valid: false; errors: string[] };
export type Validate = (value: unknown) => Validation;

export type ParseResult = { ok: true; value: unknown } | { ok: false; errors: string[] };

export const DEFAULT_MAX_REPAIRS = 2;
/** pause_turn continuations allowed within one reply before giving up. */
const MAX_CONTINUATIONS = 3;

const FENCE = /```(?:json)?\s*([\s\S]*?)\s*```/i;

/**
 * Parses a reply as JSON and validates it. Models without enforced structured output often
 * wrap JSON in a ```json fence despite instructions, so the first fenced block is accepted
 * when the whole text is not JSON; nothing looser than that (no hunting for braces in prose).
 */
export function parseStructured(text: string, validate?: Validate): ParseResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, errors: ['The reply was empty; expected a JSON value.'] };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    const fenced = FENCE.exec(trimmed)?.[1];
    if (fenced === undefined) {
      return { ok: false, errors: [`The reply is not valid JSON: ${(error as Error).message}.`] };
    }
    try {
      value = JSON.parse(fenced);
    } catch (inner) {
      return { ok: false, errors: [`The JSON in the code block is not valid: ${(inner as Error).message}.`] };
    }
  }
  if (validate === undefined) return { ok: true, value };
  const verdict = validate(value);
  if (verdict.valid) return { ok: true, value };
  const errors = verdict.errors.length > 0 ? verdict.errors : ['The JSON does not match the required schema.'];
  return { ok: false, errors };
}

export interface StructuredOptions {
  request: ModelRequest;
  validate: Validate;
  /** Extra calls allowed to fix an invalid reply. Default 2. */
  maxRepairs?: number;
  call: (request: ModelRequest) => Promise<ModelResponse>;
}

export interface StructuredResult<T> {
  value: T;
  /** The reply text the value was parsed from. */
  text: string;
  /** Every response, repairs and continuations included, in order (for cost and the journal). */
  responses: ModelResponse[];
  /** Repair calls that were needed (0 when the first reply was valid). */
  repairs: number;
  /** The conversation, ending with the accepted assistant reply. */
  messages: Anthropic.MessageParam[];
}

export function repairMessage(errors: readonly string[]): string {
  return [
    'Your reply could not be used:',
    ...errors.map((e) => `- ${e}`),
    '',
    'Reply again with only the corrected JSON value: no explanation and no code fence.',
  ].join('\n');
}

/**
 * Calls the model for a JSON reply and, while it is invalid, shows the model its errors and asks
 * again, at most maxRepairs times. Never returns an unparsed or unvalidated value: the
 * `value` is typed T on the strength of `validate`, so validate must check what T promises.
 */
export async function runStructured<T = unknown>(options: StructuredOptions): Promise<StructuredResult<T>> {
  const maxRepairs = Math.max(0, Math.floor(options.maxRepairs ?? DEFAULT_MAX_REPAIRS));
  const responses: ModelResponse[] = [];
  let messages = [...options.request.messages];

  for (let tries = 1; ; tries++) {
    const turn = await completeTurn({ ...options.request, messages }, options.call, responses);
    messages = turn.messages;
    const parsed = parseStructured(turn.text, options.validate);
    if (parsed.ok) {
      return { value: parsed.value as T, text: turn.text, responses, repairs: tries - 1, messages };
    }
    if (tries > maxRepairs) throw new StructuredOutputError(parsed.errors, turn.text, tries, responses);
    messages = [...messages, { role: 'user', content: repairMessage(parsed.errors) }];
  }
}

/** One assistant reply, following pause_turn until the turn completes. */
async function completeTurn(
  request: ModelRequest,
  call: (request: ModelRequest) => Promise<ModelResponse>,
  responses: ModelResponse[],
): Promise<{ messages: Anthropic.MessageParam[]; text: string }> {
  let messages = request.messages;
  let text = '';
  for (let continuation = 0; ; continuation++) {
    const response = await call({ ...request, messages });
    responses.push(response);
    messages = appendAssistant(messages, response.message);
    text += response.text;
    const outcome = interpretStopReason(response.stopReason, { maxTokens: request.maxTokens });
    if (!outcome.ok) throw new ModelStopError(outcome.message, response.stopReason, responses);
    if (response.stopReason === 'tool_use') {
      // A tool_use must be answered with a tool_result, which this loop cannot produce.
      throw new ModelStopError(
        'The model asked to use a tool while a structured reply was expected; run it with the tool loop or without tools.',
        response.stopReason,
        responses,
      );
    }
    if (!outcome.continue) return { messages, text };
    if (continuation >= MAX_CONTINUATIONS) {
      throw new ModelStopError(
        `The model paused its reply more than ${MAX_CONTINUATIONS} times (stop reason: pause_turn).`,
        response.stopReason,
        responses,
      );
    }
  }
}
