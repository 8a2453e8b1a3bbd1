// The fetch a batch's SDK clients use (client.ts, CallOptions.stream false): the request body
// written in one go and the reply read whole, over node:http(s) with kept-alive connections.
// Node's own fetch turns every request body into a web stream and writes it chunk by chunk; for
// thousands of short calls that was twice the CPU per request (docs/benchmarks.md, issue 13).
import * as http from 'node:http';
import * as https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

// client.ts, and so this module, is loaded only for live calls: these agents cost a start nothing.
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function transport(protocol: string): { request: typeof http.request; agent: http.Agent } {
  return protocol === 'https:'
    ? { request: https.request, agent: agents.https }
    : { request: http.request, agent: agents.http };
}

/** A proxy from the environment is honoured by Node's fetch (NODE_USE_ENV_PROXY); keep that path then. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** Statuses whose Response may carry no body. */
const NO_BODY = new Set([101, 204, 205, 304]);

function toResponse(reply: http.IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = reply.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2)
    headers.append(raw[index] as string, raw[index + 1] as string);
  const status = reply.statusCode ?? 500;
  return new Response(NO_BODY.has(status) ? null : body, { status, statusText: reply.statusMessage ?? '', headers });
}

/** What Node's fetch would hand on: a gzip, deflate or brotli body decoded (proxies may add one). */
function decoded(reply: http.IncomingMessage, body: Buffer): Buffer {
  const encoding = reply.headers['content-encoding']?.trim().toLowerCase();
  if (!encoding || encoding === 'identity' || body.length === 0) return body;
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

function plainHeaders(init: RequestInit | undefined, length: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of new Headers(init?.headers)) headers[name] = value;
  headers['content-length'] = String(length);
  return headers;
}

function send(url: URL, init: RequestInit | undefined, body: Buffer | string): Promise<Response> {
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError());
  const { request, agent } = transport(url.protocol);
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      outgoing.destroy();
      reject(abortError());
    };
    const settle = (error: unknown, response?: Response): void => {
      signal?.removeEventListener('abort', onAbort);
      // The same shape as Node's fetch, so the SDK and call-failure.ts read it the same way.
      if (response === undefined) reject(new TypeError('fetch failed', { cause: error }));
      else resolve(response);
    };
    const outgoing = request(
      url,
      { method: init?.method ?? 'GET', headers: plainHeaders(init, length), agent },
      (reply: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => chunks.push(chunk));
        reply.on('error', (error) => settle(error));
        reply.on('end', () => {
          try {
            settle(undefined, toResponse(reply, decoded(reply, Buffer.concat(chunks))));
          } catch (error) {
            settle(error);
          }
        });
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error) => settle(error));
    outgoing.end(body);
  });
}

/** fetch for the SDK: plain string or byte bodies here, anything else (and proxies) through Node's own. */
export const wholeFetch: typeof fetch = (input, init) => {
  const body = init?.body ?? '';
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
  const plain = typeof body === 'string' || body instanceof Uint8Array;
  if (url === undefined || !plain || PROXY_VARIABLES.some((name) => process.env[name])) return fetch(input, init);
  return send(url, init, typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
};
