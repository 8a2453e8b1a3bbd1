import type Anthropic from '@anthropic-ai/sdk';
import { StructuredOutputError } from './errors.js';
import type { ModelRequest, ModelResponse } from './types.js';

export type Validation = { valid: true } | { valid: false; errors: string[] };
export type Validate = (value: unknown) => Validation;

export type ParseResult = { ok: true; value: unknown } | { ok: false; errors: string[] };

export const DEFAULT_MAX_REPAIRS = 2;

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

/** One complete assistant turn: tool use and pause_turn already followed (the tool loop). */
export interface Turn {
  /** The turn's reply text. */
  text: string;
  final: ModelResponse;
  responses: ModelResponse[];
  /** The conversation, ending with the turn's assistant reply. */
  messages: Anthropic.MessageParam[];
}

export interface StructuredOptions {
  request: ModelRequest;
  /** Checks the parsed value; without it any JSON value is accepted. */
  validate?: Validate;
  /** Extra turns allowed to fix an invalid reply. Default 2. */
  maxRepairs?: number;
  turn: (request: ModelRequest) => Promise<Turn>;
  /** Told of each invalid reply before it is repaired or given up on (attempt counts from 1). */
  onInvalid?: (attempt: number, errors: readonly string[]) => void;
}

export interface StructuredResult<T> {
  value: T;
  /** The reply text the value was parsed from. */
  text: string;
  /** The turn that gave the accepted reply. */
  final: ModelResponse;
  /** Every response, repairs and continuations included, in order (for cost and the journal). */
  responses: ModelResponse[];
  /** Repair turns that were needed (0 when the first reply was valid). */
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
 * The one repair loop: asks for a JSON reply and, while it is invalid, shows the model its
 * errors and asks again, at most maxRepairs times. Never returns an unparsed or unvalidated
 * value: `value` is typed T on the strength of `validate`, so validate must check what T promises.
 */
export async function runStructured<T = unknown>(options: StructuredOptions): Promise<StructuredResult<T>> {
  const maxRepairs = Math.max(0, Math.floor(options.maxRepairs ?? DEFAULT_MAX_REPAIRS));
  const responses: ModelResponse[] = [];
  let request = options.request;
  for (let tries = 1; ; tries++) {
    const turn = await options.turn(request);
    responses.push(...turn.responses);
    const parsed = parseStructured(turn.text, options.validate);
    if (parsed.ok) {
      const { text, final, messages } = turn;
      return { value: parsed.value as T, text, final, responses, repairs: tries - 1, messages };
    }
    options.onInvalid?.(tries, parsed.errors);
    if (tries > maxRepairs) throw new StructuredOutputError(parsed.errors, turn.text, tries, responses);
    request = {
      ...options.request,
      messages: [...turn.messages, { role: 'user', content: repairMessage(parsed.errors) }],
    };
  }
}
