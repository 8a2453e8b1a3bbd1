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

export function jsonReplyFetch(holder: JsonReplyHolder): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || !/^application\/(?:[\w.-]+\+)?json\b/i.test(type)) return response;
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
}

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
