import type Anthropic from '@anthropic-ai/sdk';
import { ModelError } from './errors.js';
import { messageFromJson } from './messages.js';

/**
 * Every request this client sends streams. A gateway or proxy that answers one with the whole
 * Message as JSON would otherwise look like a stream that ended with nothing in it; this fetch
 * keeps that body for the attempt to use and hands the SDK an empty stream.
 */
export interface JsonReplyHolder {
  body?: { value: unknown; requestId: string | undefined } | undefined;
}

/**
 * SDK clients are shared by every call on the same platform (client.ts), so each attempt's holder
 * is found by a header this fetch takes off before sending.
 */
export const CALL_HEADER = 'x-autostack-call';
const holders = new Map<string, JsonReplyHolder>();
let calls = 0;

/** A holder for one call, found by its id until released. */
export function callHolder(): { callId: string; jsonReply: JsonReplyHolder; release: () => void } {
  calls += 1;
  const callId = String(calls);
  const jsonReply: JsonReplyHolder = {};
  holders.set(callId, jsonReply);
  return { callId, jsonReply, release: () => holders.delete(callId) };
}

export const routingFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  const holder = holders.get(headers.get(CALL_HEADER) ?? '');
  headers.delete(CALL_HEADER);
  const response = await fetch(input, { ...init, headers });
  const type = response.headers.get('content-type') ?? '';
  if (holder === undefined || !response.ok || !/^application\/(?:[\w.-]+\+)?json\b/i.test(type)) return response;
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  const requestId = response.headers.get('request-id') ?? undefined;
  holder.body = { value, requestId };
  return new Response('', {
    status: response.status,
    headers: { 'content-type': 'text/event-stream', ...(requestId ? { 'request-id': requestId } : {}) },
  });
};

/** The attempt's reply when it came as one JSON body; an error when that body is not a Message. */
export function jsonReplyOf(
  holder: JsonReplyHolder,
  label: string,
): { message: Anthropic.Message; requestId: string | undefined } {
  const body = holder.body;
  if (body === undefined) throw new Error('no JSON reply');
  const message = messageFromJson(body.value);
  if (message) return { message, requestId: body.requestId };
  const shown = typeof body.value === 'string' ? body.value : JSON.stringify(body.value);
  throw new ModelError(
    'api',
    `${label} (or a proxy in front of it) answered with JSON that is not a Message: ${shown.length > 200 ? `${shown.slice(0, 199)}…` : shown}. Check base-url.`,
    { requestId: body.requestId, retryable: false },
  );
}
