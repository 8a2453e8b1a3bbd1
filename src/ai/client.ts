import Anthropic from '@anthropic-ai/sdk';
import type { Log } from '../io/io.js';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import { AttemptError, classify, type Failure, seconds } from './call-failure.js';
import { ModelError, type ModelErrorKind } from './errors.js';
import { CALL_HEADER, callHolder, jsonReplyOf, routingFetch, type JsonReplyHolder } from './json-reply.js';
import { supportsStructuredOutput, textOf, usageOf } from './messages.js';
import { costUsd, priceFor } from './prices.js';
import { apiSchema } from './structured-schema.js';
import { wholeFetch } from './whole-fetch.js';
import type { CallPacer, ModelRequest, ModelResponse } from './types.js';

export { supportsStructuredOutput } from './messages.js';

/**
 * Where the Messages requests go: the Anthropic API, Amazon Bedrock or Google Vertex AI. Each is
 * an SDK client over the same Messages resource, so one loop owns retries, deadline and errors.
 */
export interface Platform {
  /** Names the service in messages: "Amazon Bedrock returned 429 …". */
  label: string;
  /** The SDK client, with its own retries off and this fetch (see jsonReplyFetch). */
  connect(fetch: typeof globalThis.fetch): MessagesClient;
  /** Values that must not appear in error text (keys, session tokens, access tokens). */
  secrets: readonly string[];
  /** What to check when the platform refuses the credentials or the model. */
  hints?: Partial<Record<ModelErrorKind, string>>;
}

/** The part of an Anthropic, AnthropicBedrock or AnthropicVertex client that callModel uses. */
export interface MessagesClient {
  messages: Pick<Anthropic['messages'], 'stream' | 'create'>;
}

export interface CallOptions {
  /** The Anthropic API key; used when no platform is given. */
  apiKey?: string | undefined;
  /** Defaults to the SDK's (ANTHROPIC_BASE_URL or the public API). */
  baseUrl?: string | undefined;
  /** Extra headers on every request (input custom-headers). */
  headers?: Record<string, string> | undefined;
  /** Defaults to the Anthropic API with apiKey and baseUrl. */
  platform?: Platform;
  /** Time budget for the whole call, retries and waits included. Default 10 minutes. */
  deadlineMs?: number;
  /** Requests to send at most, the first included. Default 5. */
  maxAttempts?: number;
  log: Log;
  /** Budget for one attempt, capped by what is left of the deadline. Default: no separate cap. */
  requestTimeoutMs?: number;
  /**
   * An attempt that receives nothing (no response headers, no stream event) for this long is
   * abandoned and retried: a stalled connection costs this much, not the whole deadline.
   * Default: no idle limit.
   */
  idleTimeoutMs?: number;
  /**
   * false: ask for the reply as one JSON body (messages.create) instead of a stream. It costs
   * about half the CPU per call, which a batch of thousands of items feels; idleTimeoutMs does
   * not apply then (nothing arrives before the whole reply), only the deadline. Default true.
   */
  stream?: boolean | undefined;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Wait before retry number `retry` (0-based) when the API gave no retry-after. */
  backoff?: (retry: number) => number;
  /** Shared by the calls of a batch, so a rate limit slows the whole pool (batch-pool.ts). */
  pacer?: CallPacer | undefined;
}

export const DEFAULT_DEADLINE_MS = 10 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;

/** 0.5 s, 1 s, 2 s, ... capped at 8 s, each shortened by up to a quarter so callers spread out. */
export function defaultBackoff(retry: number): number {
  const base = Math.min(8_000, 500 * 2 ** retry);
  return Math.round(base * (1 - Math.random() * 0.25));
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sampling parameters travel untyped: SDK 1.13's types dropped them (see ModelRequest). */
// Non-streaming in its type so the same body fits a batch request; messages.stream() sets stream itself.
type StreamParams = Anthropic.MessageCreateParamsNonStreaming & { temperature?: number; top_p?: number };

/** The API's request body for a ModelRequest; message-batches.ts sends the same body per item. */
export function toParams(request: ModelRequest, log: Log): StreamParams {
  const params: StreamParams = { model: request.model, max_tokens: request.maxTokens, messages: request.messages };
  if (request.system !== undefined) params.system = request.system;
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0)
    params.stop_sequences = request.stopSequences;
  if (request.tools !== undefined && request.tools.length > 0) params.tools = request.tools;
  if (request.toolChoice !== undefined) params.tool_choice = request.toolChoice;
  if (request.outputSchema !== undefined) {
    const sent = supportsStructuredOutput(request.model)
      ? apiSchema(request.outputSchema)
      : { reason: `${request.model} does not support structured output` };
    if ('schema' in sent) params.output_config = { format: { type: 'json_schema', schema: sent.schema } };
    else log.debug(`${sent.reason}; the reply is validated against the schema instead.`);
  }
  return params;
}

/** Unknown-model warnings are per process: one per model is enough to explain a $0 cost. */
const warnedUnpriced = new Set<string>();

/** The SDK client for a key, base URL and custom headers: live calls and the Message Batches API alike. */
export function anthropicClient(
  options: Pick<CallOptions, 'baseUrl' | 'headers'> & { apiKey: string },
  sdk: { maxRetries: number; fetch?: typeof globalThis.fetch },
): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    ...sdk,
    ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl } : {}),
    ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
  });
}

/** The Anthropic API with a key: the default platform. */
export function anthropicPlatform(options: Pick<CallOptions, 'apiKey' | 'baseUrl' | 'headers'>): Platform {
  const { apiKey } = options;
  if (!apiKey) throw new UserError('No Anthropic API key was given, so the model cannot be called.');
  return {
    label: 'The Anthropic API',
    secrets: [apiKey],
    // Our loop owns retries so one deadline bounds everything, retry-after waits included.
    connect: (fetch) => anthropicClient({ ...options, apiKey }, { maxRetries: 0, fetch }),
    hints: {
      authentication: ' Check that the Anthropic API key is set and valid.',
      permission: ' The API key is not allowed to do this (check its workspace, model access and billing).',
    },
  };
}

export async function callModel(request: ModelRequest, options: CallOptions): Promise<ModelResponse> {
  const platform = options.platform ?? anthropicPlatform(options);
  // Error text is built from API bodies and causes we do not control; credentials must never leak.
  const scrub = (text: string): string =>
    redact(platform.secrets.reduce((out, secret) => (secret.length >= 8 ? out.split(secret).join('***') : out), text));
  const call = callHolder();
  try {
    return await callWithRetries(request, options, {
      ...call,
      platform,
      client: connected(platform, options.stream !== false),
      scrub,
    });
  } finally {
    call.release();
  }
}

/**
 * One SDK client per platform and way of reading replies: building one costs about as much CPU as
 * a request (batches). Streamed calls go through routingFetch (JSON replies of gateways), whole
 * replies through wholeFetch (one write, one buffer: half the CPU of Node's fetch).
 */
const connections = { stream: new WeakMap<Platform, MessagesClient>(), whole: new WeakMap<Platform, MessagesClient>() };

function connected(platform: Platform, stream: boolean): MessagesClient {
  const clients = stream ? connections.stream : connections.whole;
  let client = clients.get(platform);
  if (client === undefined) {
    client = platform.connect(stream ? routingFetch : wholeFetch);
    clients.set(platform, client);
  }
  return client;
}

interface Call {
  callId: string;
  jsonReply: JsonReplyHolder;
  platform: Platform;
  client: MessagesClient;
  scrub: (text: string) => string;
}

async function callWithRetries(request: ModelRequest, options: CallOptions, call: Call): Promise<ModelResponse> {
  const { log } = options;
  const { jsonReply, scrub, platform } = call;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const backoff = options.backoff ?? defaultBackoff;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
  const params = toParams(request, log);
  const started = now();

  for (let attempt = 1; ; attempt++) {
    const left = deadlineMs - (now() - started);
    if (left <= 0) {
      throw new ModelError(
        'deadline',
        `The model call ran out of its ${seconds(deadlineMs)} deadline before attempt ${attempt}.`,
        {
          attempts: attempt - 1,
        },
      );
    }
    const timeoutMs = Math.max(1, Math.min(options.requestTimeoutMs ?? Number.POSITIVE_INFINITY, left));
    log.debug(`Calling ${request.model} (attempt ${attempt} of ${maxAttempts}, ${seconds(timeoutMs)} allowed).`);

    let failure: Failure;
    try {
      await options.pacer?.beforeAttempt();
      jsonReply.body = undefined;
      const { message, requestId } =
        options.stream === false
          ? await wholeReply(params, timeoutMs, call)
          : await attemptOnce(params, timeoutMs, options.idleTimeoutMs, call);
      options.pacer?.onSuccess();
      return toResponse(message, request.model, log, {
        latencyMs: now() - started,
        attempts: attempt,
        retries: attempt - 1,
        requestId,
      });
    } catch (error) {
      failure = classify(error, timeoutMs, scrub, platform);
    }

    const { error } = failure;
    if (error.kind === 'rate_limit' || error.kind === 'overloaded') options.pacer?.onRateLimited(failure.retryAfterMs);
    if (!error.retryable) throw withAttempts(error, attempt, false);
    if (attempt >= maxAttempts) {
      throw withAttempts(error, attempt, false, `Gave up after ${attempt} attempts. Last error: ${error.message}`);
    }
    const waitMs = waitBeforeRetry(failure, attempt, deadlineMs - (now() - started), deadlineMs, backoff);
    log.info(`${error.message} Retrying in ${seconds(waitMs)} (attempt ${attempt + 1} of ${maxAttempts}).`);
    await sleep(waitMs);
  }
}

function toResponse(
  message: Anthropic.Message,
  requestedModel: string,
  log: CallOptions['log'],
  call: Pick<ModelResponse, 'latencyMs' | 'attempts' | 'retries' | 'requestId'>,
): ModelResponse {
  const model = message.model || requestedModel;
  const usage = usageOf(message);
  const costKnown = priceFor(model) !== undefined;
  if (!costKnown && !warnedUnpriced.has(model)) {
    warnedUnpriced.add(model);
    log.warning(`No price is known for model '${model}'; its cost is reported as $0.`);
  }
  return {
    model,
    message,
    text: textOf(message),
    stopReason: message.stop_reason,
    usage,
    costUsd: costUsd(model, usage),
    costKnown,
    ...call,
  };
}

/** How long to wait before the next attempt: retry-after when the API sent one, else backoff; never past the deadline. */
function waitBeforeRetry(
  failure: Failure,
  attempt: number,
  remaining: number,
  deadlineMs: number,
  backoff: (retry: number) => number,
): number {
  const { error } = failure;
  if (failure.retryAfterMs !== undefined) {
    if (failure.retryAfterMs >= remaining) {
      throw new ModelError(
        'deadline',
        `The API asked to wait ${seconds(failure.retryAfterMs)} before retrying, beyond what is left of the ${seconds(deadlineMs)} deadline (${seconds(Math.max(0, remaining))}). Last error: ${error.message}`,
        { ...detailsOf(error), attempts: attempt, cause: error },
      );
    }
    return failure.retryAfterMs;
  }
  const waitMs = Math.max(0, backoff(attempt - 1));
  if (waitMs >= remaining) {
    throw new ModelError(
      'deadline',
      `The model call ran out of its ${seconds(deadlineMs)} deadline after ${attempt} ${attempt === 1 ? 'attempt' : 'attempts'}. Last error: ${error.message}`,
      { ...detailsOf(error), attempts: attempt, cause: error },
    );
  }
  return waitMs;
}

async function attemptOnce(
  params: StreamParams,
  timeoutMs: number,
  idleTimeoutMs: number | undefined,
  call: Pick<Call, 'callId' | 'jsonReply' | 'client' | 'platform'>,
): Promise<{ message: Anthropic.Message; requestId: string | undefined }> {
  const { jsonReply, client } = call;
  // The SDK's timeout only covers the wait for response headers; this one also bounds the body.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let idleTimer: NodeJS.Timeout | undefined;
  let idled = false;
  const armIdle = (): void => {
    if (idleTimeoutMs === undefined || idleTimeoutMs >= timeoutMs) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idled = true;
      controller.abort();
    }, idleTimeoutMs);
  };
  armIdle();
  const stream = client.messages.stream(params, {
    timeout: timeoutMs,
    signal: controller.signal,
    headers: { [CALL_HEADER]: call.callId },
  });
  let produced = false;
  stream.on('connect', armIdle);
  stream.on('streamEvent', (event) => {
    armIdle();
    if (event.type === 'content_block_start' || event.type === 'content_block_delta') produced = true;
  });
  try {
    const message = await stream.finalMessage();
    return { message, requestId: stream.request_id ?? undefined };
  } catch (error) {
    // The SDK saw an empty stream; the reply came whole, as JSON.
    if (jsonReply.body !== undefined && !produced) return jsonReplyOf(jsonReply, call.platform.label);
    throw new AttemptError(error, produced, controller.signal.aborted, idled ? idleTimeoutMs : undefined);
  } finally {
    clearTimeout(timer);
    clearTimeout(idleTimer);
  }
}

/** One attempt without streaming: the reply is one JSON body, checked like a gateway's (json-reply.ts). */
async function wholeReply(
  params: StreamParams,
  timeoutMs: number,
  call: Pick<Call, 'client' | 'platform'>,
): Promise<{ message: Anthropic.Message; requestId: string | undefined }> {
  // As for a stream: the SDK's timeout covers the headers, this one the body too.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const reply = await call.client.messages
      .create(params, { timeout: timeoutMs, signal: controller.signal })
      .withResponse();
    return jsonReplyOf({ body: { value: reply.data, requestId: reply.request_id ?? undefined } }, call.platform.label);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new AttemptError(error, false, controller.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
}

function detailsOf(error: ModelError): ConstructorParameters<typeof ModelError>[2] {
  return { status: error.status, apiType: error.apiType, apiMessage: error.apiMessage, requestId: error.requestId };
}

function withAttempts(error: ModelError, attempts: number, retryable: boolean, message = error.message): ModelError {
  return new ModelError(error.kind, message, {
    ...detailsOf(error),
    attempts,
    retryable,
    ...(error.cause ? { cause: error.cause } : {}),
  });
}
