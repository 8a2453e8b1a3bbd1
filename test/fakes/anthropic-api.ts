/**
 * Loopback fake of the Anthropic Messages API, for tests that drive the real
 * `@anthropic-ai/sdk` client through its `baseURL` option.
 *
 *   const api = await startAnthropicApi();
 *   const client = new Anthropic({ apiKey: 'sk-test', baseURL: api.url, maxRetries: 2 });
 *   api.enqueue(errorReply(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '10' }), textReply('hi'));
 *   ...
 *   await api.close();
 *
 * Every POST /v1/messages takes the next scripted reply (or the default one when
 * the queue is empty). A request with `stream: true` gets the reply as SSE,
 * otherwise as a single JSON Message. Requests the real API would reject before
 * reaching a model (no credentials, no `anthropic-version`, malformed body, sampling
 * parameters sent to a model that takes none, a structured-output schema with a keyword the
 * API refuses such as `maximum`) get a 400/401 and do NOT consume a scripted reply; they are
 * still logged. `gatewayJsonReply` answers even a streaming request with one JSON Message, as
 * some gateways and proxies do.
 *
 * The Message Batches API (POST /v1/messages/batches, GET …/{id}, GET …/{id}/results) is served
 * by `api.batches` (anthropic-batches.ts), with the same credential and version checks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FakeBatches } from './anthropic-batches.js';

// ---------------------------------------------------------------------------
// Types

export type FakeStopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export type FakeErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error'
  | (string & {});

export interface FakeTextBlock {
  type: 'text';
  text: string;
}

export interface FakeToolUseBlock {
  type: 'tool_use';
  /** Defaults to a fresh `toolu_…` id. */
  id?: string;
  name: string;
  input: unknown;
}

export type FakeContentBlock = FakeTextBlock | FakeToolUseBlock;

export interface FakeUsage {
  /** Defaults to a rough estimate (request JSON length / 4). */
  input_tokens?: number;
  /** Defaults to a rough estimate (content length / 4, at least 1). */
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface FakeMessageReply {
  kind: 'message';
  content: FakeContentBlock[];
  /** Defaults to `tool_use` when the content has a tool_use block, else `end_turn`. */
  stop_reason?: FakeStopReason;
  /** Only meaningful with stop_reason `stop_sequence`; defaults to the request's first `stop_sequences` entry. */
  stop_sequence?: string | null;
  usage?: FakeUsage;
  /** Defaults to the request's `model`. */
  model?: string;
  /** Defaults to a fresh `msg_…` id. */
  id?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Streaming only: characters per text_delta / input_json_delta (default 8). */
  chunkSize?: number;
}

export interface FakeErrorReply {
  kind: 'error';
  status: number;
  type: FakeErrorType;
  message: string;
  /** Extra response headers, e.g. `retry-after`, `retry-after-ms`, `x-should-retry`. */
  headers?: Record<string, string>;
  /** Optional `error.details` object (the SDK reads `details.error_code`). */
  details?: Record<string, unknown>;
}

/** Read the request, then destroy the socket (TCP RST) without any response. */
export interface FakeResetReply {
  kind: 'reset';
}

/** Wait `delayMs` before serving `then` (default: the default reply). For timeout tests. */
export interface FakeSlowReply {
  kind: 'slow';
  delayMs: number;
  then?: FakeReply;
}

/**
 * HTTP 200 SSE: message_start, optionally a partial text block, then
 * `event: error` and the connection closes. Always served as SSE.
 */
export interface FakeStreamErrorReply {
  kind: 'stream_error';
  type: FakeErrorType;
  message: string;
  /** If set, a text block with this text is started (and deltas sent) before the error. */
  partialText?: string;
}

/**
 * The whole Message as one `application/json` body even when the request asked to stream, as
 * some gateways and proxies answer. `body` replaces the Message (to send JSON that is not one).
 */
export interface FakeJsonMessageReply {
  kind: 'json_message';
  reply: FakeMessageReply;
  body?: unknown;
}

export type FakeReply =
  FakeMessageReply | FakeErrorReply | FakeResetReply | FakeSlowReply | FakeStreamErrorReply | FakeJsonMessageReply;

/** The JSON body the SDK sends to POST /v1/messages (loosely typed on purpose). */
export interface MessagesRequestBody {
  model: string;
  max_tokens: number;
  messages: unknown[];
  stream?: boolean;
  system?: unknown;
  tools?: unknown[];
  tool_choice?: unknown;
  stop_sequences?: string[];
  temperature?: number;
  metadata?: unknown;
  output_config?: {
    effort?: string | null;
    format?: { type: 'json_schema'; schema: Record<string, unknown> } | null;
  };
  [key: string]: unknown;
}

export interface LoggedRequest {
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed body. For a malformed body this is whatever parsed (or `{}`), not validated. */
  body: MessagesRequestBody;
  /** The HTTP status answered, once the reply is written (a reset leaves it unset). */
  status?: number;
}

/** How the fake behaves under load, like a rate-limited account. */
export interface AnthropicApiOptions {
  /** Every POST /v1/messages waits this long before its reply (default 0). */
  latencyMs?: number;
  /**
   * Requests in flight at most; one beyond gets 429 rate_limit_error with retry-after (and
   * retry-after-ms) and does not consume a scripted reply. Default: no limit.
   */
  concurrencyLimit?: number;
  /** The wait a 429 asks for (default 100 ms; retry-after carries it rounded up to seconds). */
  retryAfterMs?: number;
}

export interface AnthropicApi {
  /** Base URL to pass as the SDK's `baseURL` (no trailing slash). */
  readonly url: string;
  /** Every POST /v1/messages, in arrival order. */
  readonly requests: LoggedRequest[];
  /** Every POST /v1/messages/count_tokens, in arrival order. */
  readonly countTokensRequests: LoggedRequest[];
  /** The Message Batches API (anthropic-batches.ts): script outcomes, count creates and polls. */
  readonly batches: FakeBatches;
  /** Script the next replies, in order. */
  enqueue(...replies: FakeReply[]): void;
  /** Reply used when the queue is empty (initially `textReply('OK')`). */
  setDefault(reply: FakeReply): void;
  /** Number of scripted replies not yet consumed. */
  pending(): number;
  /**
   * Answer by request content (e.g. per test case, whatever order requests arrive in); a
   * responder returning undefined falls back to the queue, then the default.
   */
  setResponder(responder: ((body: MessagesRequestBody) => FakeReply | undefined) | undefined): void;
  /** Most POST /v1/messages in flight at once, and how many got a 429 for the concurrency limit. */
  readonly load: { peakInFlight: number; rateLimited: number };
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Builders

export interface TextReplyOptions {
  stop_reason?: FakeStopReason;
  stop_sequence?: string | null;
  usage?: FakeUsage;
  model?: string;
  id?: string;
  headers?: Record<string, string>;
  chunkSize?: number;
}

export function textReply(text: string, opts: TextReplyOptions = {}): FakeMessageReply {
  return { kind: 'message', content: [{ type: 'text', text }], ...opts };
}

export interface ToolUseReplyOptions extends TextReplyOptions {
  /** tool_use block id (default fresh `toolu_…`). */
  toolUseId?: string;
  /** Text block emitted before the tool_use block. */
  preamble?: string;
}

export function toolUseReply(name: string, input: unknown, opts: ToolUseReplyOptions = {}): FakeMessageReply {
  const { toolUseId, preamble, ...rest } = opts;
  const content: FakeContentBlock[] = [];
  if (preamble !== undefined) content.push({ type: 'text', text: preamble });
  content.push({ type: 'tool_use', name, input, ...(toolUseId !== undefined ? { id: toolUseId } : {}) });
  return { kind: 'message', content, ...rest };
}

export function messageReply(content: FakeContentBlock[], opts: TextReplyOptions = {}): FakeMessageReply {
  return { kind: 'message', content, ...opts };
}

export function errorReply(
  status: number,
  type: FakeErrorType,
  message: string,
  headers: Record<string, string> = {},
): FakeErrorReply {
  return { kind: 'error', status, type, message, headers };
}

export function gatewayJsonReply(reply: FakeMessageReply, body?: unknown): FakeJsonMessageReply {
  return body === undefined ? { kind: 'json_message', reply } : { kind: 'json_message', reply, body };
}

export function resetReply(): FakeResetReply {
  return { kind: 'reset' };
}

export function slowReply(delayMs: number, then?: FakeReply): FakeSlowReply {
  return then === undefined ? { kind: 'slow', delayMs } : { kind: 'slow', delayMs, then };
}

export function streamErrorReply(
  type: FakeErrorType = 'overloaded_error',
  message = 'Overloaded',
  partialText?: string,
): FakeStreamErrorReply {
  return partialText === undefined
    ? { kind: 'stream_error', type, message }
    : { kind: 'stream_error', type, message, partialText };
}

// ---------------------------------------------------------------------------
// Server

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function chunk(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

interface ResolvedBlockText {
  type: 'text';
  text: string;
}
interface ResolvedBlockTool {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}
type ResolvedBlock = ResolvedBlockText | ResolvedBlockTool;

export interface ResolvedMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResolvedBlock[];
  stop_reason: FakeStopReason;
  stop_sequence: string | null;
  stop_details: null;
  container: null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
    cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
    server_tool_use: null;
    service_tier: 'standard';
  };
}

function estimateInputTokens(body: MessagesRequestBody): number {
  const { messages, system, tools } = body;
  return Math.max(1, Math.ceil(JSON.stringify({ messages, system, tools }).length / 4));
}

export function resolveMessage(reply: FakeMessageReply, body: MessagesRequestBody): ResolvedMessage {
  const content: ResolvedBlock[] = reply.content.map((block) =>
    block.type === 'text'
      ? { type: 'text', text: block.text }
      : { type: 'tool_use', id: block.id ?? randomId('toolu_'), name: block.name, input: block.input },
  );
  const stopReason: FakeStopReason =
    reply.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const stopSequence =
    stopReason === 'stop_sequence' ? (reply.stop_sequence ?? body.stop_sequences?.[0] ?? null) : null;
  const outChars = content.reduce(
    (n, b) => n + (b.type === 'text' ? b.text.length : JSON.stringify(b.input ?? {}).length + b.name.length),
    0,
  );
  const cacheCreation = reply.usage?.cache_creation_input_tokens ?? 0;
  return {
    id: reply.id ?? randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model: reply.model ?? (typeof body.model === 'string' && body.model ? body.model : 'claude-fake'),
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    stop_details: null,
    container: null,
    usage: {
      input_tokens: reply.usage?.input_tokens ?? estimateInputTokens(body),
      output_tokens: reply.usage?.output_tokens ?? Math.max(1, Math.ceil(outChars / 4)),
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
      cache_creation: { ephemeral_5m_input_tokens: cacheCreation, ephemeral_1h_input_tokens: 0 },
      server_tool_use: null,
      service_tier: 'standard',
    },
  };
}

function sseEvent(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function startSse(res: ServerResponse, requestId: string, extra: Record<string, string> = {}): void {
  res.writeHead(200, {
    ...extra,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
  });
}

function messageStartPayload(msg: ResolvedMessage): unknown {
  return {
    type: 'message_start',
    message: {
      ...msg,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...msg.usage, output_tokens: 1 },
    },
  };
}

/** One server-sent event of a streamed Message. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** The events the Messages API streams for `msg`, in order: what every fake transport encodes. */
export function messageEvents(msg: ResolvedMessage, chunkSize: number): SseEvent[] {
  const events: SseEvent[] = [
    { event: 'message_start', data: messageStartPayload(msg) },
    { event: 'ping', data: { type: 'ping' } },
  ];
  const push = (event: string, data: unknown): void => void events.push({ event, data });
  msg.content.forEach((block, index) => {
    if (block.type === 'text') {
      push('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const piece of chunk(block.text, chunkSize)) {
        push('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
    } else {
      push('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      // The real API opens with an empty partial_json.
      const pieces = ['', ...chunk(JSON.stringify(block.input ?? {}), chunkSize)];
      for (const piece of pieces) {
        push('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        });
      }
    }
    push('content_block_stop', { type: 'content_block_stop', index });
  });
  push('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: msg.stop_reason, stop_sequence: msg.stop_sequence, stop_details: null, container: null },
    usage: {
      input_tokens: msg.usage.input_tokens,
      cache_creation_input_tokens: msg.usage.cache_creation_input_tokens,
      cache_read_input_tokens: msg.usage.cache_read_input_tokens,
      output_tokens: msg.usage.output_tokens,
    },
  });
  push('message_stop', { type: 'message_stop' });
  return events;
}

/** Writes `msg` as the Messages API's SSE stream and ends the response. */
export function writeStreamedMessage(
  res: ServerResponse,
  msg: ResolvedMessage,
  requestId: string,
  headers: Record<string, string>,
  chunkSize: number,
): void {
  startSse(res, requestId, headers);
  for (const { event, data } of messageEvents(msg, chunkSize)) sseEvent(res, event, data);
  res.end();
}

export function writeJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string>,
): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function writeError(
  res: ServerResponse,
  requestId: string,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
  details?: Record<string, unknown>,
): void {
  const error: Record<string, unknown> = { type, message };
  if (details !== undefined) error.details = details;
  writeJson(res, status, { type: 'error', error, request_id: requestId }, { ...headers, 'request-id': requestId });
}

/**
 * Like the real API, models from Claude Opus 4.7 on (Opus 4.8, the 5 generation) reject sampling
 * parameters with a 400 before any scripted reply is consumed.
 */
function rejectsSampling(model: unknown): boolean {
  if (typeof model !== 'string') return false;
  const match = /^claude-[a-z]+-(\d+)(?:-(\d{1,2}))?(?=$|[-@[])/.exec(model);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major > 4 || (major === 4 && minor >= 7);
}

/** Keywords the real API refuses in a structured-output schema (its grammar cannot enforce them). */
const UNSUPPORTED_SCHEMA_KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
];

/** The API's 400 text for the first schema keyword it would refuse, like the real one's. */
function unsupportedSchemaKeyword(schema: unknown): string | undefined {
  if (Array.isArray(schema)) {
    for (const item of schema) {
      const found = unsupportedSchemaKeyword(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isRecord(schema)) return undefined;
  const keyword = UNSUPPORTED_SCHEMA_KEYWORDS.find((name) => name in schema && typeof schema[name] !== 'object');
  if (keyword !== undefined)
    return `For '${typeof schema.type === 'string' ? schema.type : 'any'}' type, property '${keyword}' is not supported`;
  if (typeof schema.minItems === 'number' && schema.minItems > 1)
    return `For 'array' type, 'minItems' values other than 0 or 1 are not supported`;
  for (const value of Object.values(schema)) {
    const found = unsupportedSchemaKeyword(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Checks the real API makes before any model work; returns true if it answered. */
export function rejectInvalid(
  res: ServerResponse,
  headers: Record<string, string>,
  raw: string,
  parsed: unknown,
  requestId: string,
): boolean {
  if (!headers['x-api-key'] && !headers['authorization']) {
    writeError(res, requestId, 401, 'authentication_error', 'x-api-key header is required');
    return true;
  }
  if (!headers['anthropic-version']) {
    writeError(res, requestId, 400, 'invalid_request_error', 'anthropic-version: header is required');
    return true;
  }
  if (!isRecord(parsed)) {
    writeError(
      res,
      requestId,
      400,
      'invalid_request_error',
      raw ? 'Request body is not valid JSON' : 'Request body is empty',
    );
    return true;
  }
  return false;
}

export async function startAnthropicApi(options: AnthropicApiOptions = {}): Promise<AnthropicApi> {
  const requests: LoggedRequest[] = [];
  const countTokensRequests: LoggedRequest[] = [];
  const batches = new FakeBatches();
  const queue: FakeReply[] = [];
  let defaultReply: FakeReply = textReply('OK');
  let responder: ((body: MessagesRequestBody) => FakeReply | undefined) | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const load = { peakInFlight: 0, rateLimited: 0 };
  let inFlight = 0;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function serve(
    reply: FakeReply,
    req: IncomingMessage,
    res: ServerResponse,
    body: MessagesRequestBody,
    requestId: string,
  ): Promise<void> {
    if (res.destroyed || res.socket === null || res.socket.destroyed) return;
    switch (reply.kind) {
      case 'message': {
        const msg = resolveMessage(reply, body);
        const headers = { ...(reply.headers ?? {}) };
        if (body.stream === true) {
          writeStreamedMessage(res, msg, requestId, headers, Math.max(1, reply.chunkSize ?? 8));
        } else {
          writeJson(res, 200, msg, { ...headers, 'request-id': requestId });
        }
        return;
      }
      case 'json_message': {
        const msg = resolveMessage(reply.reply, body);
        writeJson(res, 200, reply.body ?? msg, { ...(reply.reply.headers ?? {}), 'request-id': requestId });
        return;
      }
      case 'error':
        writeError(res, requestId, reply.status, reply.type, reply.message, reply.headers ?? {}, reply.details);
        return;
      case 'reset': {
        const socket = req.socket;
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      case 'slow':
        await sleep(reply.delayMs);
        await serve(reply.then ?? defaultReply, req, res, body, requestId);
        return;
      case 'stream_error': {
        const msg = resolveMessage({ kind: 'message', content: [] }, body);
        startSse(res, requestId);
        sseEvent(res, 'message_start', messageStartPayload(msg));
        if (reply.partialText !== undefined) {
          sseEvent(res, 'content_block_start', {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'text', text: '' },
          });
          sseEvent(res, 'content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: reply.partialText },
          });
        }
        sseEvent(res, 'error', {
          type: 'error',
          error: { type: reply.type, message: reply.message },
          request_id: requestId,
        });
        res.end();
        return;
      }
    }
  }

  /** The concurrency limit and the latency around one model reply. */
  async function underLoad(res: ServerResponse, requestId: string, reply: () => Promise<void>): Promise<void> {
    if (options.concurrencyLimit !== undefined && inFlight >= options.concurrencyLimit) {
      load.rateLimited += 1;
      const waitMs = options.retryAfterMs ?? 100;
      writeError(
        res,
        requestId,
        429,
        'rate_limit_error',
        'Number of concurrent connections has exceeded your rate limit.',
        {
          'retry-after': String(Math.ceil(waitMs / 1000)),
          'retry-after-ms': String(waitMs),
        },
      );
      return;
    }
    inFlight += 1;
    load.peakInFlight = Math.max(load.peakInFlight, inFlight);
    try {
      if (options.latencyMs) await sleep(options.latencyMs);
      await reply();
    } finally {
      inFlight -= 1;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomId('req_');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const raw = await readBody(req);
    const headers = lowerHeaders(req);
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    const body = (isRecord(parsed) ? parsed : {}) as MessagesRequestBody;

    if (req.method === 'POST' && path === '/v1/messages') {
      const logged: LoggedRequest = { headers, body };
      requests.push(logged);
      res.on('finish', () => (logged.status = res.statusCode));
      if (rejectInvalid(res, headers, raw, parsed, requestId)) return;
      const missing = (['model', 'max_tokens', 'messages'] as const).find((k) => body[k] === undefined);
      if (missing !== undefined) {
        writeError(res, requestId, 400, 'invalid_request_error', `${missing}: Field required`);
        return;
      }
      const sampling = (['temperature', 'top_p', 'top_k'] as const).find((k) => body[k] !== undefined);
      if (sampling !== undefined && rejectsSampling(body.model)) {
        writeError(res, requestId, 400, 'invalid_request_error', `\`${sampling}\` is deprecated for this model.`);
        return;
      }
      const unsupported = unsupportedSchemaKeyword(body.output_config?.format?.schema);
      if (unsupported !== undefined) {
        writeError(res, requestId, 400, 'invalid_request_error', `output_config.format.schema: ${unsupported}`);
        return;
      }
      await underLoad(res, requestId, async () => {
        const reply = responder?.(body) ?? queue.shift() ?? defaultReply;
        await serve(reply, req, res, body, requestId);
      });
      return;
    }

    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      countTokensRequests.push({ headers, body });
      if (rejectInvalid(res, headers, raw, parsed, requestId)) return;
      writeJson(res, 200, { input_tokens: estimateInputTokens(body) }, { 'request-id': requestId });
      return;
    }

    if (path.startsWith('/v1/messages/batches')) {
      batches.handle({ method: req.method ?? 'GET', path, headers, raw, parsed, requestId }, res);
      return;
    }

    writeError(res, requestId, 404, 'not_found_error', `Not found: ${req.method ?? 'GET'} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        writeError(res, randomId('req_'), 500, 'api_error', `fake server failure: ${String(err)}`);
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    countTokensRequests,
    batches,
    enqueue(...replies: FakeReply[]): void {
      queue.push(...replies);
    },
    setDefault(reply: FakeReply): void {
      defaultReply = reply;
    },
    pending(): number {
      return queue.length;
    },
    setResponder(next): void {
      responder = next;
    },
    load,
    close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
  };
}
