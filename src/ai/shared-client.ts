import Anthropic from '@anthropic-ai/sdk';

/**
 * Every request this client sends streams. A gateway or proxy that answers one with the whole
 * Message as JSON would otherwise look like a stream that ended with nothing in it; this fetch
 * keeps that body for the attempt to use and hands the SDK an empty stream.
 */
export interface JsonReplyHolder {
  body?: { value: unknown; requestId: string | undefined } | undefined;
}

/**
 * Clients are shared by every call with the same key and base URL: building one costs about as
 * much CPU as the request itself, which a batch of thousands of calls feels. Each attempt's holder
 * is found by a header the fetch takes off before sending.
 */
export const CALL_HEADER = 'x-autostack-call';
export const holders = new Map<string, JsonReplyHolder>();
const clients = new Map<string, Anthropic>();
let calls = 0;

export function nextCallId(): string {
  calls += 1;
  return String(calls);
}

function jsonReplyFetch(): typeof fetch {
  return async (input, init) => {
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
}

export function sharedClient(apiKey: string, baseUrl: string | undefined): Anthropic {
  const key = `${apiKey}\n${baseUrl ?? ''}`;
  let client = clients.get(key);
  if (client === undefined) {
    // Our loop owns retries so one deadline bounds everything, retry-after waits included.
    client = new Anthropic({
      apiKey,
      maxRetries: 0,
      fetch: jsonReplyFetch(),
      ...(baseUrl !== undefined ? { baseURL: baseUrl } : {}),
    });
    clients.set(key, client);
  }
  return client;
}
